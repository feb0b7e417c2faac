package pipeline

import (
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

func (c *zstdCodec) encoder(level int) *zstd.Encoder {
	l := zstd.EncoderLevelFromZstd(level)
	if level == compress.DefaultCompressionLevel {
		l = zstd.SpeedDefault
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if e, ok := c.enc[l]; ok {
		return e
	}
	// EncodeAll is safe for concurrent use on one Encoder.
	e, _ := zstd.NewWriter(nil, zstd.WithZeroFrames(true), zstd.WithEncoderLevel(l))
	c.enc[l] = e
	return e
}

func (c *zstdCodec) EncodeLevel(dst, src []byte, level int) []byte {
	return c.encoder(level).EncodeAll(src, dst[:0])
}

func (c *zstdCodec) Encode(dst, src []byte) []byte {
	return c.EncodeLevel(dst, src, compress.DefaultCompressionLevel)
}

func init() {
	if orig, err := compress.GetCodec(compress.Codecs.Zstd); err == nil {
		compress.RegisterCodec(compress.Codecs.Zstd, &zstdCodec{Codec: orig, enc: make(map[zstd.EncoderLevel]*zstd.Encoder)})
	}
}
