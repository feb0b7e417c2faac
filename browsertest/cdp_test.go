package browsertest

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// chromiumPath returns the browser to drive, skipping the test when there
// is none, or failing it under CI.
func chromiumPath(t *testing.T) string {
	t.Helper()
	path := os.Getenv("CHROMIUM")
	if path == "" {
		path = "/usr/bin/chromium"
	}
	if _, err := os.Stat(path); err != nil {
		if os.Getenv("CI") != "" {
			t.Fatalf("CI is set but there is no browser at %s (install Debian's chromium package): %v", path, err)
		}
		t.Skipf("no browser at %s (install Debian's chromium package, or set CHROMIUM); skipping the browser test", path)
	}
	return path
}

// message is one DevTools protocol message: a response (ID set) or an
// event (Method set).
type message struct {
	ID        int             `json:"id,omitempty"`
	Method    string          `json:"method,omitempty"`
	Params    json.RawMessage `json:"params,omitempty"`
	Result    json.RawMessage `json:"result,omitempty"`
	SessionID string          `json:"sessionId,omitempty"`
	Error     *struct {
		Code    int    `json:"code"`
		Message string `json:"message"`
	} `json:"error,omitempty"`
}

// browser is a headless Chromium spoken to over --remote-debugging-pipe:
// it reads NUL-terminated JSON messages from fd 3 and writes them to fd 4.
type browser struct {
	cmd    *exec.Cmd
	toB    *os.File // our end of the browser's fd 3
	fromB  *os.File // our end of the browser's fd 4
	stderr bytes.Buffer
	done   chan struct{} // closed when the reader stops

	mu      sync.Mutex
	nextID  int
	waiting map[int]chan message
	events  []message
	notify  chan struct{} // signalled on every event
}

// startBrowser launches Chromium with the given binary and a fresh
// profile; it is closed when the test ends.
func startBrowser(t *testing.T, path string) *browser {
	t.Helper()
	profile := t.TempDir()
	args := []string{
		"--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
		"--disable-background-networking", "--disable-component-update", "--disable-sync",
		"--disable-default-apps", "--disable-extensions", "--mute-audio", "--hide-scrollbars",
		"--no-default-browser-check", "--disable-dev-shm-usage",
		// Any host name resolves to nothing, so a request that escapes the
		// checks below still fails rather than reaching the network.
		"--host-resolver-rules=MAP * ~NOTFOUND",
		"--remote-debugging-pipe",
		"--user-data-dir=" + profile,
		"about:blank",
	}
	b := &browser{waiting: map[int]chan message{}, notify: make(chan struct{}, 1), done: make(chan struct{})}
	// Pipes: the browser reads commands on fd 3 and writes replies on fd 4.
	cmdR, cmdW, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	repR, repW, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	b.cmd = exec.Command(path, args...)
	b.cmd.ExtraFiles = []*os.File{cmdR, repW}
	b.cmd.Stderr = &lockedWriter{w: &b.stderr, mu: &b.mu}
	b.cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true} // its helpers share our process group id
	if err := b.cmd.Start(); err != nil {
		t.Fatalf("starting %s: %v", path, err)
	}
	cmdR.Close()
	repW.Close()
	b.toB, b.fromB = cmdW, repR
	go b.read()
	t.Cleanup(func() { b.close(t) })
	return b
}

type lockedWriter struct {
	w  io.Writer
	mu *sync.Mutex
}

func (l *lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}

// read dispatches the browser's messages until the pipe closes.
func (b *browser) read() {
	defer close(b.done)
	r := bufio.NewReaderSize(b.fromB, 1<<20)
	for {
		raw, err := r.ReadBytes(0)
		if err != nil {
			return
		}
		var m message
		if err := json.Unmarshal(raw[:len(raw)-1], &m); err != nil {
			continue
		}
		b.mu.Lock()
		if m.ID != 0 {
			if ch, ok := b.waiting[m.ID]; ok {
				ch <- m
				delete(b.waiting, m.ID)
			}
		} else {
			b.events = append(b.events, m)
			select {
			case b.notify <- struct{}{}:
			default:
			}
		}
		b.mu.Unlock()
	}
}

// call sends one command (to a page when session is set) and waits for its
// result.
func (b *browser) call(ctx context.Context, session, method string, params any) (json.RawMessage, error) {
	if params == nil {
		params = struct{}{}
	}
	p, err := json.Marshal(params)
	if err != nil {
		return nil, err
	}
	ch := make(chan message, 1)
	b.mu.Lock()
	b.nextID++
	id := b.nextID
	b.waiting[id] = ch
	b.mu.Unlock()
	out, err := json.Marshal(message{ID: id, Method: method, Params: p, SessionID: session})
	if err != nil {
		return nil, err
	}
	if _, err := b.toB.Write(append(out, 0)); err != nil {
		return nil, fmt.Errorf("%s: %w", method, err)
	}
	select {
	case m := <-ch:
		if m.Error != nil {
			return nil, fmt.Errorf("%s: %s (%d)", method, m.Error.Message, m.Error.Code)
		}
		return m.Result, nil
	case <-b.done:
		return nil, fmt.Errorf("%s: the browser closed the pipe", method)
	case <-ctx.Done():
		return nil, fmt.Errorf("%s: %w", method, ctx.Err())
	}
}

// waitEvent waits for an event of the session with the given method.
func (b *browser) waitEvent(ctx context.Context, session, method string) (message, error) {
	seen := 0
	for {
		b.mu.Lock()
		evs := b.events[seen:]
		seen = len(b.events)
		b.mu.Unlock()
		for _, e := range evs {
			if e.Method == method && e.SessionID == session {
				return e, nil
			}
		}
		select {
		case <-b.notify:
		case <-time.After(50 * time.Millisecond):
		case <-b.done:
			return message{}, fmt.Errorf("waiting for %s: the browser closed the pipe", method)
		case <-ctx.Done():
			return message{}, fmt.Errorf("waiting for %s: %w", method, ctx.Err())
		}
	}
}

// eventsOf returns the events received so far for a session.
func (b *browser) eventsOf(session string) []message {
	b.mu.Lock()
	defer b.mu.Unlock()
	var out []message
	for _, e := range b.events {
		if e.SessionID == session {
			out = append(out, e)
		}
	}
	return out
}

// close asks the browser to quit, and ends its process group if it does
// not within a few seconds.
func (b *browser) close(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
	defer cancel()
	b.call(ctx, "", "Browser.close", nil) //nolint:errcheck // the pipe may close before the reply
	exited := make(chan error, 1)
	go func() { exited <- b.cmd.Wait() }()
	select {
	case <-exited:
	case <-time.After(5 * time.Second):
		syscall.Kill(-b.cmd.Process.Pid, syscall.SIGKILL) //nolint:errcheck // best effort
		<-exited
	}
	b.toB.Close()
	b.fromB.Close()
	if t.Failed() {
		b.mu.Lock()
		t.Logf("browser stderr (tail):\n%s", tail(b.stderr.String(), 3000))
		b.mu.Unlock()
	}
}

func tail(s string, n int) string {
	if len(s) > n {
		return "…" + s[len(s)-n:]
	}
	return s
}

// page is one tab, attached with its own session.
type page struct {
	b       *browser
	session string
}

// newPage opens a blank tab and enables the domains the checks listen to.
func (b *browser) newPage(ctx context.Context, width, height int) (*page, error) {
	res, err := b.call(ctx, "", "Target.createTarget", map[string]any{"url": "about:blank"})
	if err != nil {
		return nil, err
	}
	var target struct {
		TargetID string `json:"targetId"`
	}
	if err := json.Unmarshal(res, &target); err != nil {
		return nil, err
	}
	res, err = b.call(ctx, "", "Target.attachToTarget", map[string]any{"targetId": target.TargetID, "flatten": true})
	if err != nil {
		return nil, err
	}
	var att struct {
		SessionID string `json:"sessionId"`
	}
	if err := json.Unmarshal(res, &att); err != nil {
		return nil, err
	}
	p := &page{b: b, session: att.SessionID}
	for _, m := range []string{"Page.enable", "Runtime.enable", "Log.enable", "Network.enable"} {
		if _, err := p.call(ctx, m, nil); err != nil {
			return nil, err
		}
	}
	if _, err := p.call(ctx, "Emulation.setDeviceMetricsOverride", map[string]any{
		"width": width, "height": height, "deviceScaleFactor": 1, "mobile": false,
	}); err != nil {
		return nil, err
	}
	return p, nil
}

func (p *page) call(ctx context.Context, method string, params any) (json.RawMessage, error) {
	return p.b.call(ctx, p.session, method, params)
}

// navigate loads url and waits for its load event.
func (p *page) navigate(ctx context.Context, url string) error {
	res, err := p.call(ctx, "Page.navigate", map[string]any{"url": url})
	if err != nil {
		return err
	}
	var nav struct {
		ErrorText string `json:"errorText"`
	}
	if err := json.Unmarshal(res, &nav); err != nil {
		return err
	}
	if nav.ErrorText != "" {
		return fmt.Errorf("navigating to %s: %s", url, nav.ErrorText)
	}
	_, err = p.b.waitEvent(ctx, p.session, "Page.loadEventFired")
	return err
}

// eval runs a JavaScript expression and decodes its JSON-able value into dst.
func (p *page) eval(ctx context.Context, expr string, dst any) error {
	res, err := p.call(ctx, "Runtime.evaluate", map[string]any{"expression": expr, "returnByValue": true, "awaitPromise": true})
	if err != nil {
		return err
	}
	var out struct {
		Result struct {
			Value json.RawMessage `json:"value"`
		} `json:"result"`
		ExceptionDetails *struct {
			Text string `json:"text"`
		} `json:"exceptionDetails"`
	}
	if err := json.Unmarshal(res, &out); err != nil {
		return err
	}
	if out.ExceptionDetails != nil {
		return fmt.Errorf("evaluating %q: %s", expr, out.ExceptionDetails.Text)
	}
	return json.Unmarshal(out.Result.Value, dst)
}

// problems lists every console error, uncaught exception, failed load and
// request for anything but the page itself (or inline data) seen so far.
func (p *page) problems(pageURL string) []string {
	var out []string
	for _, e := range p.b.eventsOf(p.session) {
		switch e.Method {
		case "Runtime.exceptionThrown":
			var ev struct {
				ExceptionDetails struct {
					Text      string `json:"text"`
					Exception struct {
						Description string `json:"description"`
					} `json:"exception"`
				} `json:"exceptionDetails"`
			}
			json.Unmarshal(e.Params, &ev) //nolint:errcheck // reported raw below if empty
			out = append(out, fmt.Sprintf("uncaught exception: %s %s", ev.ExceptionDetails.Text, ev.ExceptionDetails.Exception.Description))
		case "Runtime.consoleAPICalled":
			var ev struct {
				Type string `json:"type"`
			}
			json.Unmarshal(e.Params, &ev) //nolint:errcheck
			if ev.Type == "error" || ev.Type == "assert" || ev.Type == "warning" {
				out = append(out, fmt.Sprintf("console.%s: %s", ev.Type, e.Params))
			}
		case "Log.entryAdded":
			var ev struct {
				Entry struct {
					Level, Source, Text, URL string
				} `json:"entry"`
			}
			json.Unmarshal(e.Params, &ev) //nolint:errcheck
			if ev.Entry.Level == "error" || ev.Entry.Level == "warning" {
				out = append(out, fmt.Sprintf("log %s (%s): %s %s", ev.Entry.Level, ev.Entry.Source, ev.Entry.Text, ev.Entry.URL))
			}
		case "Network.loadingFailed":
			out = append(out, fmt.Sprintf("failed load: %s", e.Params))
		case "Network.requestWillBeSent":
			var ev struct {
				Request struct {
					URL string `json:"url"`
				} `json:"request"`
			}
			json.Unmarshal(e.Params, &ev) //nolint:errcheck
			u := ev.Request.URL
			if u != pageURL && !strings.HasPrefix(u, "data:") && !strings.HasPrefix(u, "about:") {
				out = append(out, "request for "+u)
			}
		}
	}
	return out
}

// screenshot captures the whole page as PNG.
func (p *page) screenshot(ctx context.Context) ([]byte, error) {
	res, err := p.call(ctx, "Page.captureScreenshot", map[string]any{"format": "png", "captureBeyondViewport": true})
	if err != nil {
		return nil, err
	}
	var shot struct {
		Data []byte `json:"data"` // base64 in JSON, decoded by encoding/json
	}
	if err := json.Unmarshal(res, &shot); err != nil {
		return nil, err
	}
	if len(shot.Data) == 0 {
		return nil, errors.New("empty screenshot")
	}
	return shot.Data, nil
}
