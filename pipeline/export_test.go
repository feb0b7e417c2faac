package pipeline

// WriteEventsForTest writes an events file from columns, for the tests of
// package pipeline_test.
func WriteEventsForTest(path string, cols []Column) error { return writeTable(path, cols, nil) }
