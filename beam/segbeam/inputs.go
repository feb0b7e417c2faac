package segbeam

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"
	"sync"

	"github.com/apache/beam/sdks/v2/go/pkg/beam/io/filesystem"
	_ "github.com/apache/beam/sdks/v2/go/pkg/beam/io/filesystem/gcs"   // gs://
	_ "github.com/apache/beam/sdks/v2/go/pkg/beam/io/filesystem/local" // local paths
	_ "github.com/apache/beam/sdks/v2/go/pkg/beam/io/filesystem/memfs" // memfs:// (tests)
	_ "github.com/apache/beam/sdks/v2/go/pkg/beam/io/filesystem/s3"    // s3://

	"github.com/segmint/segmint/features"
	"github.com/segmint/segmint/source"
)

// Inputs on other file systems than the local one (gs://, s3://, any
// scheme registered with Beam's filesystem package) are read through
// Beam's file systems: each file is copied once per worker process into
// a local cache (os.TempDir()/segmint-beam-inputs) and decoded there by
// segmint's own reader (source.ReadSplit), which needs random access to
// a Parquet file's footer and row groups, which the filesystem interface
// does not offer. Errors name the URL, as a single-node run names the
// path.

// expandEvents turns the --events arguments into the inputs of the job:
// local arguments are kept as they are (pipeline resolves files,
// directories and globs as `segmint run` does); a URL with a glob
// character is listed with its file system, a URL ending in "/" lists the
// files under it, and any other URL names one file.
func expandEvents(ctx context.Context, args []string) ([]string, error) {
	var out []string
	for _, a := range args {
		if !isURL(a) {
			out = append(out, a)
			continue
		}
		glob := ""
		switch {
		case strings.ContainsAny(a, "*?["):
			glob = a
		case strings.HasSuffix(a, "/"):
			glob = a + "*"
		default:
			out = append(out, a)
			continue
		}
		fsys, err := filesystem.New(ctx, a)
		if err != nil {
			return nil, &source.InputError{File: a, Err: err}
		}
		names, err := fsys.List(ctx, glob)
		fsys.Close()
		if err != nil {
			return nil, &source.InputError{File: a, Err: err}
		}
		slices.Sort(names)
		var keep []string
		for _, n := range names {
			if ext := strings.ToLower(path.Ext(n)); ext == ".parquet" || ext == ".csv" {
				keep = append(keep, n)
			}
		}
		if len(keep) == 0 {
			return nil, &source.InputError{File: a, Err: fmt.Errorf("no .parquet or .csv files match: %w", os.ErrNotExist)}
		}
		out = append(out, keep...)
	}
	return out, nil
}

// localInputs maps each input to a local path: itself when local, else
// the cached copy of the URL. byLocal maps a copy back to its URL.
func localInputs(ctx context.Context, inputs []string) (local []string, byLocal map[string]string, err error) {
	byLocal = map[string]string{}
	for _, in := range inputs {
		if !isURL(in) {
			local = append(local, in)
			continue
		}
		p, err := localCopy(ctx, in)
		if err != nil {
			return nil, nil, err
		}
		local = append(local, p)
		byLocal[p] = in
	}
	return local, byLocal, nil
}

// renameErr replaces the local copy's path by its URL in segmint's input
// errors, so that a bad file is named as the user named it.
func renameErr(err error, byLocal map[string]string) error {
	if err == nil || len(byLocal) == 0 {
		return err
	}
	var ie *source.InputError
	if errors.As(err, &ie) {
		if u, ok := byLocal[ie.File]; ok {
			ie.File = u
		}
	}
	var ce *source.ColumnError
	if errors.As(err, &ce) {
		if u, ok := byLocal[ce.File]; ok {
			ce.File = u
		}
	}
	return err
}

// inputReport validates the inputs as a single-node run does and returns
// the manifest's account of them, files named as given.
func inputReport(ctx context.Context, inputs []string, layout source.Layout) (*source.FeatureReport, error) {
	local, byLocal, err := localInputs(ctx, inputs)
	if err != nil {
		return nil, err
	}
	rep, err := source.NewInputReport(local, layout)
	if err != nil {
		return nil, renameErr(err, byLocal)
	}
	for i, f := range rep.Files {
		if u, ok := byLocal[f.Path]; ok {
			rep.Files[i].Path = u
		}
	}
	return rep, nil
}

// inputSplits validates the inputs and lists their splits, paths named as
// given.
func inputSplits(ctx context.Context, files []string, layout source.Layout) ([]source.Split, error) {
	local, byLocal, err := localInputs(ctx, files)
	if err != nil {
		return nil, err
	}
	splits, err := source.Splits(local, layout)
	if err != nil {
		return nil, renameErr(err, byLocal)
	}
	for i, s := range splits {
		if u, ok := byLocal[s.Path]; ok {
			splits[i].Path = u
		}
	}
	return splits, nil
}

// readSplit is source.ReadSplitRows on a split whose file may be a URL.
func readSplit(ctx context.Context, s source.Split, layout source.Layout, asOf int64, pass source.ReadPass, fn func(*features.Batch)) (map[string]int64, int64, error) {
	byLocal := map[string]string{}
	if isURL(s.Path) {
		p, err := localCopy(ctx, s.Path)
		if err != nil {
			return nil, 0, err
		}
		byLocal[p] = s.Path
		s.Path = p
	}
	skipped, rows, err := source.ReadSplitRows(ctx, s, layout, asOf, pass, fn)
	return skipped, rows, renameErr(err, byLocal)
}

var (
	copiesMu sync.Mutex
	copies   = map[string]string{} // URL -> local copy
)

// localCopy returns a local copy of the file at url, downloaded through
// Beam's file systems once per process.
func localCopy(ctx context.Context, url string) (string, error) {
	copiesMu.Lock()
	defer copiesMu.Unlock()
	if p, ok := copies[url]; ok {
		return p, nil
	}
	dir := filepath.Join(os.TempDir(), "segmint-beam-inputs")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", err
	}
	sum := sha256.Sum256([]byte(url))
	dst := filepath.Join(dir, hex.EncodeToString(sum[:8])+"-"+path.Base(url))
	fsys, err := filesystem.New(ctx, url)
	if err != nil {
		return "", &source.InputError{File: url, Err: err}
	}
	defer fsys.Close()
	r, err := fsys.OpenRead(ctx, url)
	if err != nil {
		return "", &source.InputError{File: url, Err: err}
	}
	defer r.Close()
	tmp, err := os.CreateTemp(dir, ".download-*")
	if err != nil {
		return "", err
	}
	if _, err := io.Copy(tmp, r); err != nil {
		tmp.Close()
		os.Remove(tmp.Name())
		return "", &source.InputError{File: url, Err: err}
	}
	if err := tmp.Close(); err != nil {
		os.Remove(tmp.Name())
		return "", err
	}
	if err := os.Rename(tmp.Name(), dst); err != nil {
		os.Remove(tmp.Name())
		return "", err
	}
	copies[url] = dst
	return dst, nil
}
