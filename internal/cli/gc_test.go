package cli

import (
	"os"
	"runtime/debug"
	"testing"
)

// TestUseBatchGC: the commands' GC target applies unless GOGC is set.
func TestUseBatchGC(t *testing.T) {
	old := debug.SetGCPercent(100)
	defer debug.SetGCPercent(old)
	t.Setenv("GOGC", "") // restored after the test
	os.Unsetenv("GOGC")
	UseBatchGC()
	if got := debug.SetGCPercent(100); got != BatchGCPercent {
		t.Errorf("without GOGC: GC percent %d, want %d", got, BatchGCPercent)
	}
	t.Setenv("GOGC", "80")
	debug.SetGCPercent(80)
	UseBatchGC()
	if got := debug.SetGCPercent(100); got != 80 {
		t.Errorf("with GOGC=80: GC percent %d, want 80 (the user's)", got)
	}
}
