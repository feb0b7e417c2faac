package outdir

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/parquet-go/parquet-go"
	"golang.org/x/sys/unix"
)

// ErrExists is returned (wrapped) when an output exists and may not be
// replaced: it is not empty and the caller did not ask to replace it, or it
// holds files segmint did not write.
var ErrExists = errors.New("output exists (use --force to replace an earlier segmint output)")

// ManifestName is the name of the manifest segmint writes into every output
// directory it owns.
const ManifestName = "manifest.json"

// MaxNamed is the number of foreign files a ForeignError names.
const MaxNamed = 5

// ForeignError says why an output may not be replaced even with --force:
// it holds files segmint did not write (or that no segmint manifest lists).
// It wraps ErrExists.
type ForeignError struct {
	Path    string   // the output that would have been replaced
	Reason  string   // why its files are not segmint's
	Foreign []string // the first MaxNamed foreign files, relative to Path
	Count   int      // how many foreign files there are in all
}

func (e *ForeignError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s: not replaced: %s", e.Path, e.Reason)
	if e.Count > 0 {
		fmt.Fprintf(&b, "; %d file(s) segmint did not write: %s", e.Count, strings.Join(e.Foreign, ", "))
		if e.Count > len(e.Foreign) {
			fmt.Fprintf(&b, ", and %d more", e.Count-len(e.Foreign))
		}
	}
	b.WriteString(" (--force replaces only segmint's own output; move those files or choose another --out)")
	return b.String()
}

func (e *ForeignError) Unwrap() error { return ErrExists }

// legacyFiles are the files a manifest written before manifests listed
// their files may stand for: every file segmint writes into a flat output
// directory.
var legacyFiles = []string{
	ManifestName, "report.html", "report.md",
	"customers.parquet", "clusters.parquet", "memberships.parquet", "segments.parquet",
	"k_selection.parquet", "movement.parquet", "assignments.parquet", "centroids.parquet",
}

// manifest is the part of a segmint manifest that says whose it is and
// which files it accounts for.
type manifest struct {
	Tool          string   `json:"tool"`
	SchemaVersion string   `json:"schema_version"`
	Files         []string `json:"files"`
}

// ListedFiles reads dir's segmint manifest and returns the files it lists,
// relative to dir (the manifest itself included). It returns an error when
// dir holds no manifest that segmint wrote.
func ListedFiles(dir string) ([]string, error) {
	data, err := os.ReadFile(filepath.Join(dir, ManifestName))
	if errors.Is(err, fs.ErrNotExist) {
		return nil, errors.New("it holds no segmint " + ManifestName)
	} else if err != nil {
		return nil, err
	}
	var m manifest
	if err := json.Unmarshal(data, &m); err != nil || m.SchemaVersion == "" || (m.Tool != "" && !strings.HasPrefix(m.Tool, "segmint")) {
		return nil, errors.New("its " + ManifestName + " is not a segmint manifest")
	}
	if m.Files == nil {
		return legacyFiles, nil
	}
	files := append([]string{ManifestName}, m.Files...)
	for i, f := range files {
		files[i] = filepath.Clean(filepath.FromSlash(f))
	}
	return files, nil
}

// Owned is the rule an output kind's files are judged by: whether the file
// at path (rel, relative to the output) is segmint's own.
type Owned func(rel, path string) bool

// ManifestOwned returns the rule of an output directory with a segmint
// manifest: a file is segmint's when the manifest lists it. A directory
// without a segmint manifest owns nothing; the error says why.
func ManifestOwned(dir string) (Owned, error) {
	files, err := ListedFiles(dir)
	if err != nil {
		return nil, err
	}
	listed := make(map[string]bool, len(files))
	for _, f := range files {
		listed[f] = true
	}
	return func(rel, _ string) bool { return listed[rel] }, nil
}

// ParquetOwned returns the rule of outputs recognised by their Parquet
// key-value metadata: a file is segmint's when it is a Parquet file whose
// metadata holds every key of keys.
func ParquetOwned(keys ...string) Owned {
	return func(_, path string) bool { return HasParquetKeys(path, keys...) }
}

// HasParquetKeys reports whether path is a readable Parquet file whose
// key-value metadata holds every key of keys.
func HasParquetKeys(path string, keys ...string) bool {
	f, err := os.Open(path)
	if err != nil {
		return false
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil || !st.Mode().IsRegular() {
		return false
	}
	pf, err := parquet.OpenFile(f, st.Size(), parquet.SkipPageIndex(true), parquet.SkipBloomFilters(true))
	if err != nil {
		return false
	}
	for _, k := range keys {
		if _, ok := pf.Lookup(k); !ok {
			return false
		}
	}
	return true
}

// Foreign walks dir and returns, sorted, the paths (relative to dir) of
// every file that owned does not claim. Symbolic links are never followed
// and are always foreign; directories are judged by their contents, so an
// empty directory is not foreign. Segmint's staging leftovers
// (".NAME.staging-*", ".NAME.tmp-*", ".NAME.*.tmp") are not foreign.
func Foreign(dir string, owned Owned) ([]string, error) {
	var foreign []string
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if path == dir {
			return nil
		}
		rel, err := filepath.Rel(dir, path)
		if err != nil {
			return err
		}
		if isStaging(d.Name()) {
			if d.IsDir() {
				return filepath.SkipDir
			}
			return nil
		}
		if d.IsDir() {
			return nil
		}
		if d.Type()&fs.ModeSymlink != 0 || !d.Type().IsRegular() || !owned(rel, path) {
			foreign = append(foreign, rel)
		}
		return nil
	})
	sort.Strings(foreign)
	return foreign, err
}

// isStaging reports whether name is one of segmint's staging leftovers.
func isStaging(name string) bool {
	return strings.HasPrefix(name, ".") && (strings.Contains(name, ".staging-") || strings.Contains(name, ".tmp-") || strings.HasSuffix(name, ".tmp"))
}

// CheckDir checks that the output directory dir may be written: it does not
// exist, or is an empty directory, or (with force) holds nothing but what
// owned claims. owned is called only when force is set and dir is not
// empty; it returns the rule for dir's files or an error saying why dir is
// not segmint's (ManifestOwned). The error wraps ErrExists when dir may not
// be replaced.
func CheckDir(dir string, force bool, owned func(dir string) (Owned, error)) error {
	st, err := os.Lstat(dir)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	} else if err != nil {
		return err
	}
	if st.Mode()&fs.ModeSymlink != 0 {
		if st, err = os.Stat(dir); err != nil {
			return err
		}
	}
	if !st.IsDir() {
		return fmt.Errorf("%s: exists and is not a directory: %w", dir, ErrExists)
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		return err
	}
	if len(entries) == 0 {
		return nil
	}
	if !force {
		return fmt.Errorf("%s: %w", dir, ErrExists)
	}
	rule, err := owned(dir)
	if err != nil {
		foreign, werr := Foreign(dir, func(string, string) bool { return false })
		if werr != nil {
			return werr
		}
		return foreignError(dir, err.Error(), foreign)
	}
	foreign, err := Foreign(dir, rule)
	if err != nil {
		return err
	}
	if len(foreign) > 0 {
		return foreignError(dir, "it holds more than an earlier segmint output", foreign)
	}
	return nil
}

func foreignError(dir, reason string, foreign []string) *ForeignError {
	e := &ForeignError{Path: dir, Reason: reason, Count: len(foreign)}
	e.Foreign = foreign[:min(len(foreign), MaxNamed)]
	return e
}

// CheckFile checks that the output file path may be written: it does not
// exist, or (with force) it is a file that owned claims. The error wraps
// ErrExists when path may not be replaced.
func CheckFile(path string, force bool, owned Owned) error {
	st, err := os.Lstat(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	} else if err != nil {
		return err
	}
	if st.IsDir() {
		return fmt.Errorf("%s: exists and is a directory: %w", path, ErrExists)
	}
	if !force {
		return fmt.Errorf("%s: %w", path, ErrExists)
	}
	if st.Mode()&fs.ModeSymlink != 0 || !st.Mode().IsRegular() || !owned(filepath.Base(path), path) {
		return &ForeignError{Path: path, Reason: "segmint did not write this file (its Parquet metadata carries no segmint table marker)"}
	}
	return nil
}

// Exchange moves directory src to dst. When dst exists, the two are
// exchanged atomically (renameat2 RENAME_EXCHANGE) and the old content,
// now at src, is removed: a reader or a crash sees dst either wholly old or
// wholly new. Where the exchange is not supported, dst is first renamed
// aside, then src renamed into place.
func Exchange(src, dst string) error {
	if _, err := os.Lstat(dst); errors.Is(err, os.ErrNotExist) {
		return os.Rename(src, dst)
	}
	err := unix.Renameat2(unix.AT_FDCWD, src, unix.AT_FDCWD, dst, unix.RENAME_EXCHANGE)
	if err == nil {
		return os.RemoveAll(src)
	}
	if !errors.Is(err, unix.ENOSYS) && !errors.Is(err, unix.EINVAL) && !errors.Is(err, unix.EXDEV) {
		return err
	}
	old := src + ".old"
	if err := os.Rename(dst, old); err != nil {
		return err
	}
	if err := os.Rename(src, dst); err != nil {
		os.Rename(old, dst)
		return err
	}
	return os.RemoveAll(old)
}

// Stage makes an empty staging directory beside out (".NAME.staging-*" in
// out's parent) for an output to be written into and moved into place with
// Exchange.
func Stage(out string) (string, error) {
	out, err := filepath.Abs(out)
	if err != nil {
		return "", err
	}
	parent := filepath.Dir(out)
	if err := os.MkdirAll(parent, 0o755); err != nil {
		return "", err
	}
	dir, err := os.MkdirTemp(parent, "."+filepath.Base(out)+".staging-")
	if err != nil {
		return "", err
	}
	if err := os.Chmod(dir, 0o755); err != nil {
		os.RemoveAll(dir)
		return "", err
	}
	return dir, nil
}
