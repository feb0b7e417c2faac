package cli

import (
	"fmt"
	"io"
	"log/slog"
	"os"
	"sync"
	"time"

	"github.com/segmint/segmint/source"
)

// progress shows the feature stage's progress: a line redrawn in place on a
// terminal, or a structured log line every few seconds otherwise.
type progress struct {
	mu       sync.Mutex
	w        io.Writer
	log      *slog.Logger
	terminal bool
	start    time.Time
	pass     int
	passAt   time.Time
	last     time.Time
	drawn    bool
}

func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}

func newProgress(stderr io.Writer, log *slog.Logger) *progress {
	now := time.Now()
	return &progress{w: stderr, log: log, terminal: isTerminal(stderr), start: now, passAt: now}
}

func (p *progress) update(pr source.Progress) {
	p.mu.Lock()
	defer p.mu.Unlock()
	now := time.Now()
	if pr.Pass != p.pass {
		// A new pass: its rate is measured from here.
		p.pass, p.passAt, p.last = pr.Pass, now, now
		return
	}
	every := 5 * time.Second
	if p.terminal {
		every = 200 * time.Millisecond
	}
	done := pr.TotalRows > 0 && pr.Rows >= pr.TotalRows
	if now.Sub(p.last) < every && !done {
		return
	}
	p.last = now
	secs := now.Sub(p.passAt).Seconds()
	rate := float64(pr.Rows) / max(secs, 1e-9)
	eta := "?"
	pct := ""
	if pr.TotalRows > 0 {
		pct = fmt.Sprintf(" %5.1f%%", 100*float64(pr.Rows)/float64(pr.TotalRows))
		if rate > 0 {
			eta = (time.Duration(float64(pr.TotalRows-pr.Rows)/rate) * time.Second).Round(time.Second).String()
		}
	}
	if p.terminal {
		fmt.Fprintf(p.w, "\rpass %d/%d: %d rows%s  %.2fM rows/s  ETA %s   ", pr.Pass, pr.Passes, pr.Rows, pct, rate/1e6, eta)
		p.drawn = true
		return
	}
	p.log.Info("progress", "pass", pr.Pass, "passes", pr.Passes, "rows", pr.Rows, "total_rows", pr.TotalRows, "rows_per_second", int64(rate), "eta", eta)
}

// done ends the in-place line.
func (p *progress) done() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.drawn {
		fmt.Fprintln(p.w)
		p.drawn = false
	}
}
