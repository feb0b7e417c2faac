package source

import (
	"math/bits"
	"sync"
)

// pooledAllocator is an Arrow memory.Allocator that recycles buffers by
// power-of-two size class instead of leaving every record batch's buffers
// to the garbage collector. Buffers are zeroed on allocation, as Arrow
// expects. A buffer must not be used after it is freed: the decoder copies
// every string it keeps (interned countries, event-type names) and uses the
// others (hashes, parsed numbers) before the record is released.
type pooledAllocator struct {
	pools [48]sync.Pool
}

const minPooledShift = 6 // 64 bytes

func sizeClass(size int) int {
	if size <= 1<<minPooledShift {
		return minPooledShift
	}
	return bits.Len(uint(size - 1))
}

func (a *pooledAllocator) Allocate(size int) []byte {
	if size == 0 {
		return []byte{}
	}
	c := sizeClass(size)
	if c >= len(a.pools) {
		return make([]byte, size)
	}
	if v := a.pools[c].Get(); v != nil {
		b := (*v.(*[]byte))[:size]
		clear(b)
		return b
	}
	return make([]byte, size, 1<<c)
}

func (a *pooledAllocator) Reallocate(size int, b []byte) []byte {
	if size <= cap(b) {
		old := len(b)
		b = b[:size]
		if size > old {
			clear(b[old:])
		}
		return b
	}
	nb := a.Allocate(size)
	copy(nb, b)
	a.Free(b)
	return nb
}

func (a *pooledAllocator) Free(b []byte) {
	c := cap(b)
	if c == 0 || c&(c-1) != 0 || c < 1<<minPooledShift {
		return // not one of ours
	}
	cl := bits.Len(uint(c)) - 1
	if cl >= len(a.pools) {
		return
	}
	b = b[:0]
	a.pools[cl].Put(&b)
}
