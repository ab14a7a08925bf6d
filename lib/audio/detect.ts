/**
 * Tells an audio file's container from its first bytes (its "magic"), never from its name: a file called
 * song.wav that holds MP3 data is read as MP3.
 *
 *   WAV   "RIFF"/"RF64"/"BW64" .... "WAVE"              (EBU Tech 3306 for RF64/BW64)
 *   AIFF  "FORM" .... "AIFF" or "AIFC"                   (Apple AIFF 1.3 / AIFF-C)
 *   FLAC  "fLaC"                                         (RFC 9639 section 6)
 *   Ogg   "OggS", first packet "OpusHead" or "\x01vorbis" (RFC 7845 section 5.1; Vorbis I spec 4.2.2)
 *   MP4   .... "ftyp"                                    (ISO/IEC 14496-12 4.3: M4A, MP4, MOV)
 *   MP3   "ID3" (an ID3v2 tag) or an MPEG audio frame header (11 sync bits, layer != 0, valid bitrate/rate)
 *   ADTS  12 sync bits and layer 0: raw AAC
 */
export type AudioContainer = 'wav' | 'aiff' | 'flac' | 'ogg-vorbis' | 'ogg-opus' | 'ogg' | 'mp4' | 'mp3' | 'aac' | 'unknown';

/** Bytes detectFormat() wants to see (fewer work, at the risk of 'unknown'). */
export const DETECT_BYTES = 64;

/** Human names for messages. */
export const CONTAINER_NAMES: Record<AudioContainer, string> = {
  wav: 'WAV',
  aiff: 'AIFF',
  flac: 'FLAC',
  'ogg-vorbis': 'Ogg Vorbis',
  'ogg-opus': 'Ogg Opus',
  ogg: 'Ogg (neither Vorbis nor Opus)',
  mp4: 'MP4/M4A',
  mp3: 'MP3',
  aac: 'AAC (ADTS)',
  unknown: 'unknown',
};

const ascii = (b: Uint8Array, from: number, to: number): string => String.fromCharCode(...b.subarray(from, to));

export function detectFormat(head: Uint8Array): AudioContainer {
  if (head.length >= 12 && ['RIFF', 'RF64', 'BW64'].includes(ascii(head, 0, 4)) && ascii(head, 8, 12) === 'WAVE') return 'wav';
  if (head.length >= 12 && ascii(head, 0, 4) === 'FORM' && ['AIFF', 'AIFC'].includes(ascii(head, 8, 12))) return 'aiff';
  if (head.length >= 4 && ascii(head, 0, 4) === 'fLaC') return 'flac';
  if (head.length >= 4 && ascii(head, 0, 4) === 'OggS') {
    // The first page's header is 27 bytes plus one lacing byte per segment; the first packet follows.
    const segments = head[26] ?? 0;
    const packet = head.subarray(27 + segments);
    if (ascii(packet, 0, 8) === 'OpusHead') return 'ogg-opus';
    if (packet[0] === 1 && ascii(packet, 1, 7) === 'vorbis') return 'ogg-vorbis';
    return 'ogg';
  }
  if (head.length >= 8 && ascii(head, 4, 8) === 'ftyp') return 'mp4';
  if (head.length >= 3 && ascii(head, 0, 3) === 'ID3') {
    // An ID3v2 tag may precede FLAC as well as MP3; the tag's size is a 28-bit syncsafe integer.
    return 'mp3';
  }
  if (head.length >= 4 && head[0] === 0xff && (head[1]! & 0xe0) === 0xe0) {
    const layer = (head[1]! >> 1) & 3;
    const version = (head[1]! >> 3) & 3;
    const bitrate = head[2]! >> 4;
    const rate = (head[2]! >> 2) & 3;
    if (layer === 0 && version >= 2 && (head[1]! & 0xf0) === 0xf0) return 'aac'; // ADTS: 12 sync bits, layer 00
    if (layer !== 0 && version !== 1 && bitrate !== 15 && rate !== 3) return 'mp3';
  }
  return 'unknown';
}
