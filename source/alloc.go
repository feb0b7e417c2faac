package source

import (
	"math/bits"
	"sync"
	"unsafe"
)

// pooledAllocator is an Arrow memory.Allocator that recycles buffers by
// power-of-two size class instead of leaving every record batch's buffers
// to the garbage collector. Buffers are zeroed on allocation, as Arrow
// expects. As Arrow's Go allocator does, it hands out slices whose
// capacity is their length (Arrow's compute kernels take a buffer's
// capacity for its size); the class of a buffer it is given back is read
// from that capacity. A buffer must not be used after it is freed: the
// decoder copies every string it keeps (interned countries, event-type
// names) and uses the others (hashes, parsed numbers) before the record is
// released.
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
		b := (*v.(*[]byte))[:size:size]
		clear(b)
		return b
	}
	return make([]byte, 1<<c)[:size:size]
}

// class returns the whole buffer of size class that b, one of ours, was
// cut from, or ok false for a buffer that is not recycled.
func (a *pooledAllocator) class(b []byte) (whole []byte, class int, ok bool) {
	if cap(b) == 0 {
		return nil, 0, false
	}
	c := sizeClass(cap(b))
	if c >= len(a.pools) {
		return nil, 0, false
	}
	return unsafe.Slice(unsafe.SliceData(b), 1<<c), c, true
}

func (a *pooledAllocator) Reallocate(size int, b []byte) []byte {
	if whole, _, ok := a.class(b); ok && size <= len(whole) {
		// Within its size class: in place.
		old := len(b)
		b = whole[:size:size]
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
	whole, c, ok := a.class(b)
	if !ok {
		return
	}
	whole = whole[:0]
	a.pools[c].Put(&whole)
}
