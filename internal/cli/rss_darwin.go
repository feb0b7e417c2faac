package cli

import "syscall"

// peakRSS returns the process's peak resident set size in bytes (macOS
// reports ru_maxrss in bytes) and whether it is known.
func peakRSS() (int64, bool) {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0, false
	}
	return ru.Maxrss, true
}
