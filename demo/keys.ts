/**
 * The demo page's keyboard shortcuts: which keys they are, and which focused elements keep their keys.
 *
 * Shortcuts work wherever focus is (after a click on a button, a radio group, a slider, the A/B, a plugin GUI's
 * control), because none of those needs Space, A, B, 1 or 2 for itself: buttons also answer Enter, radio groups
 * and sliders the arrow keys. Only an element that takes typing keeps its keys: a text-like <input>, a
 * <textarea>, a <select>, anything contenteditable (the GUIs' type-in boxes are inputs, and stop their keys
 * from reaching the page anyway). Main thread only.
 */

/** The shortcut keys, as KeyboardEvent.key (lower-cased). */
export const SHORTCUT_KEYS: ReadonlySet<string> = new Set([' ', 'a', 'b', '1', '2']);

/** <input> types that take no typing: a shortcut may pass over them. */
const KEYLESS_INPUTS: ReadonlySet<string> = new Set(['range', 'checkbox', 'radio', 'button', 'submit', 'reset', 'file', 'color', 'image']);

/** True when `target` (an event's composedPath()[0], so also inside shadow DOM) is being typed into. */
export function takesTyping(target: EventTarget | null | undefined): boolean {
  if (!(target instanceof HTMLElement)) return false;
  if (target.isContentEditable) return true;
  if (target instanceof HTMLTextAreaElement || target instanceof HTMLSelectElement) return true;
  if (target instanceof HTMLInputElement) return !KEYLESS_INPUTS.has(target.type);
  return false;
}

/** True for a key event that is one of the page's shortcuts (no modifier; not typed into a text field). */
export function isShortcut(e: KeyboardEvent): boolean {
  if (e.ctrlKey || e.metaKey || e.altKey) return false;
  if (!SHORTCUT_KEYS.has(e.key.toLowerCase())) return false;
  return !takesTyping(e.composedPath()[0]);
}
