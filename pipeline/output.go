package pipeline

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"
)

// ErrOutputExists is returned when the output directory exists and is not
// empty and the caller did not ask to replace it.
var ErrOutputExists = errors.New("output directory exists and is not empty (use --force to replace it)")

// staging is a directory beside the final output into which every output
// file is written; Commit swaps it into place, so readers see either the
// previous complete output or the new complete output, never a mix.
type staging struct {
	dir   string
	final string
}

func newStaging(out string, force bool) (*staging, error) {
	out = filepath.Clean(out)
	if entries, err := os.ReadDir(out); err == nil && len(entries) > 0 && !force {
		return nil, fmt.Errorf("%s: %w", out, ErrOutputExists)
	} else if err != nil && !errors.Is(err, os.ErrNotExist) {
		if st, serr := os.Stat(out); serr == nil && !st.IsDir() {
			return nil, fmt.Errorf("%s: exists and is not a directory", out)
		}
		return nil, err
	}
	parent := filepath.Dir(out)
	if err := os.MkdirAll(parent, 0o755); err != nil {
		return nil, err
	}
	dir, err := os.MkdirTemp(parent, "."+filepath.Base(out)+".staging-")
	if err != nil {
		return nil, err
	}
	if err := os.Chmod(dir, 0o755); err != nil {
		os.RemoveAll(dir)
		return nil, err
	}
	return &staging{dir: dir, final: out}, nil
}

func (s *staging) path(name string) string { return filepath.Join(s.dir, name) }

// abort removes the staged files.
func (s *staging) abort() { os.RemoveAll(s.dir) }

// commit moves the staged directory into place. An existing output is moved
// aside first and removed only after the new one is in place.
func (s *staging) commit() error {
	var old string
	if _, err := os.Stat(s.final); err == nil {
		var b [6]byte
		rand.Read(b[:])
		old = filepath.Join(filepath.Dir(s.final), "."+filepath.Base(s.final)+".old-"+hex.EncodeToString(b[:]))
		if err := os.Rename(s.final, old); err != nil {
			return err
		}
	}
	if err := os.Rename(s.dir, s.final); err != nil {
		if old != "" {
			os.Rename(old, s.final)
		}
		return err
	}
	if old != "" {
		return os.RemoveAll(old)
	}
	return nil
}
