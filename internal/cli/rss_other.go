//go:build !linux && !darwin

package cli

// peakRSS is unknown on this platform.
func peakRSS() (int64, bool) { return 0, false }
