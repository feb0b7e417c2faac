package output

import (
	"fmt"
	"sync"

	"github.com/apache/arrow/go/v17/parquet/compress"
	"github.com/klauspost/compress/zstd"
)

// zstdCodec is Arrow's zstd codec with one encoder per compression level,
// made once and reused for every page. Arrow's own EncodeLevel builds a new
// encoder, history buffers and all, for each page it compresses: writing a
// 190,000-customer feature table allocated 0.7 GB that way. The encoder
// options are Arrow's, so the bytes written are the same. Reading and
// streams are Arrow's.
type zstdCodec struct {
	compress.Codec
	mu  sync.Mutex
	enc map[zstd.EncoderLevel]*zstd.Encoder
}

// newZstdCodec wraps Arrow's codec orig, with the encoder of the default
// level made at once: its error is the caller's.
func newZstdCodec(orig compress.Codec) (*zstdCodec, error) {
	c := &zstdCodec{Codec: orig, enc: make(map[zstd.EncoderLevel]*zstd.Encoder)}
	if _, err := c.encoder(compress.DefaultCompressionLevel); err != nil {
		return nil, err
	}
	return c, nil
}

// encoder returns the encoder of a level, made on first use.
func (c *zstdCodec) encoder(level int) (*zstd.Encoder, error) {
	l := zstd.EncoderLevelFromZstd(level)
	if level == compress.DefaultCompressionLevel {
		l = zstd.SpeedDefault
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if e, ok := c.enc[l]; ok {
		return e, nil
	}
	// EncodeAll is safe for concurrent use on one Encoder.
	e, err := zstd.NewWriter(nil, zstd.WithZeroFrames(true), zstd.WithEncoderLevel(l))
	if err != nil {
		return nil, err
	}
	c.enc[l] = e
	return e, nil
}

// EncodeLevel compresses src at level. Arrow's Codec interface has no room
// for an error: should an encoder of another level than the default (made
// and checked in newZstdCodec) fail to be made, Arrow's own codec
// compresses the page, to the same bytes.
func (c *zstdCodec) EncodeLevel(dst, src []byte, level int) []byte {
	e, err := c.encoder(level)
	if err != nil {
		return c.Codec.EncodeLevel(dst, src, level)
	}
	return e.EncodeAll(src, dst[:0])
}

func (c *zstdCodec) Encode(dst, src []byte) []byte {
	return c.EncodeLevel(dst, src, compress.DefaultCompressionLevel)
}

var (
	zstdOnce sync.Once
	zstdErr  error
)

// useZstd puts zstdCodec in place of Arrow's zstd codec, once; every
// writer calls it before writing. Arrow's Parquet writer takes a
// compression type, not a codec: its page writers look the codec up in the
// process-wide registry (compress.GetCodec), and pqarrow offers no way to
// hand a writer a codec of its own. So the codec is registered, but on
// first use rather than at init, with its error returned. Only this
// package's writers compress with zstd in segmint; the registered codec
// writes the bytes Arrow's does, so another writer in the process sees no
// difference but the allocations.
func useZstd() error {
	zstdOnce.Do(func() {
		orig, err := compress.GetCodec(compress.Codecs.Zstd)
		if err != nil {
			zstdErr = fmt.Errorf("zstd codec: %w", err)
			return
		}
		c, err := newZstdCodec(orig)
		if err != nil {
			zstdErr = fmt.Errorf("zstd codec: %w", err)
			return
		}
		compress.RegisterCodec(compress.Codecs.Zstd, c)
	})
	return zstdErr
}
