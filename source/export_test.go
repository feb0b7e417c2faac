package source

// ResolveFiles is resolveFiles without the map of expanded files, for
// the tests of package source_test.
func ResolveFiles(paths []string) ([]string, error) {
	files, _, err := resolveFiles(paths)
	return files, err
}
