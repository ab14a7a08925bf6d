/**
 * Memory for the large buffers a quantum seldom or never touches (issue 16): the loudness histograms, the hop
 * rings, the true-peak copies, the latency detector's rings, tables and FFT, the copies kept for reset().
 *
 * Why a region of their own: the runtime's allocator hands out memory in order, so an engine built the plain way
 * interleaved its parts' small per-quantum state (filter states, running sums, object fields) with these buffers
 * (a meter's two histograms alone are 320 KB): a resting match engine's quantum touched 47 lines of its own on
 * 13 pages of 4 KB spread over 1.6 MB (a memory trace, README "Speed at scale", round 16). Hundreds of engines in
 * one audio thread then touch thousands of pages per quantum, each a translation the processor must look up
 * again. Taken from chunks of their own, the buffers leave the small state of every engine packed together.
 *
 * Like heap.alloc: 16-byte aligned, fresh memory (zero: the runtime never frees), and only while engines, meters
 * or detectors are being made (the memory may grow), never inside a quantum.
 */

/** Bytes of one chunk: about two engines' large buffers (1.7 MB each), so that little is left unused at a chunk's end and few chunks cut the small state apart. */
const CHUNK: usize = 4 << 20;

let next: usize = 0;
let end: usize = 0;

/** `bytes` (rounded up to 16) of memory outside the per-quantum state's. */
export function coldAlloc(bytes: usize): usize {
  const size = (bytes + 15) & ~(<usize>15);
  if (size > CHUNK >> 2) return heap.alloc(size); // a buffer this large is a region of its own anyway
  if (next + size > end) {
    next = heap.alloc(CHUNK);
    end = next + CHUNK;
  }
  const p = next;
  next += size;
  return p;
}
