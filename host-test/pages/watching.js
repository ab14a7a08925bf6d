// Test pages' helper: wait until a LevelMatch node's processor knows its readouts are watched.
//
// Adding a `readout` listener makes the node post { levelmatch: 'watch' } to its processor (wam/node.ts), which
// then measures everything and posts a readout every 40 ms instead of once a second. An OfflineAudioContext
// renders far ahead of the main thread, so a render started at once can run its first seconds before that
// message is handled (a test then saw 3 readouts where 63 were due). A parameter request is a round trip over
// the same port, and a port delivers in order: when its answer arrives, the processor has handled the watch.

/** Resolves once `node`'s processor has handled every message posted to it before this call. */
export async function watching(node) {
  await node.getParameterValues(false);
}
