/**
 * The events every input widget sends, and the bookkeeping of a "gesture" (the span during which the user holds
 * a control). All bubble and are composed, so they cross the widgets' shadow roots up to the GUI's root.
 *
 * - levelmatch-input   { value }   the user changed the value (never for a value set by code); toggles send 1 / 0
 * - levelmatch-gesture { active }  true when a user interaction starts, false when it ends; the root ignores the
 *                                  host's updates of that parameter in between, so a drag is not fought
 * - levelmatch-action              an action button was pressed
 */
import { STEP_GESTURE_END_MS } from './value-math.ts';

export interface InputDetail {
  value: number;
}
export interface GestureDetail {
  active: boolean;
}

export const INPUT_EVENT = 'levelmatch-input';
export const GESTURE_EVENT = 'levelmatch-gesture';
export const ACTION_EVENT = 'levelmatch-action';

declare global {
  interface HTMLElementEventMap {
    'levelmatch-input': CustomEvent<InputDetail>;
    'levelmatch-gesture': CustomEvent<GestureDetail>;
    'levelmatch-action': CustomEvent<void>;
  }
}

export function emitInput(el: HTMLElement, value: number): void {
  el.dispatchEvent(new CustomEvent<InputDetail>(INPUT_EVENT, { detail: { value }, bubbles: true, composed: true }));
}

export function emitGesture(el: HTMLElement, active: boolean): void {
  el.dispatchEvent(new CustomEvent<GestureDetail>(GESTURE_EVENT, { detail: { active }, bubbles: true, composed: true }));
}

export function emitAction(el: HTMLElement): void {
  el.dispatchEvent(new CustomEvent<void>(ACTION_EVENT, { bubbles: true, composed: true }));
}

/** Where a gesture comes from; several may overlap (a click that opens the type-in editor hands over to it). */
export type GestureSource = 'drag' | 'edit' | 'steps' | 'tap';

/**
 * One gesture per widget however many sources overlap: `active: true` when the first source starts, `false`
 * when the last one ends. Key and wheel steps have no natural end, so `step()` keeps a 'steps' source alive
 * until STEP_GESTURE_END_MS after the latest step.
 */
export class GestureTracker {
  private readonly sources = new Set<GestureSource>();
  private stepTimer: ReturnType<typeof setTimeout> | undefined;

  private readonly el: HTMLElement;

  constructor(el: HTMLElement) {
    this.el = el;
  }

  get active(): boolean {
    return this.sources.size > 0;
  }

  begin(source: GestureSource): void {
    if (this.sources.has(source)) return;
    this.sources.add(source);
    if (this.sources.size === 1) emitGesture(this.el, true);
  }

  end(source: GestureSource): void {
    if (source === 'steps') this.clearTimer();
    if (!this.sources.delete(source)) return;
    if (this.sources.size === 0) emitGesture(this.el, false);
  }

  /** A key or wheel step: starts the gesture if needed and (re)arms its end. */
  step(): void {
    this.begin('steps');
    this.clearTimer();
    this.stepTimer = setTimeout(() => {
      this.stepTimer = undefined;
      this.end('steps');
    }, STEP_GESTURE_END_MS);
  }

  /** A change with no duration (a click, a reset): true, then the caller's input event, then false. */
  pulse(change: () => void): void {
    this.begin('tap');
    try {
      change();
    } finally {
      this.end('tap');
    }
  }

  /** Ends every source at once (the widget was disabled), announcing the end if a gesture was on. */
  endAll(): void {
    this.clearTimer();
    if (this.sources.size === 0) return;
    this.sources.clear();
    emitGesture(this.el, false);
  }

  /**
   * Forgets everything without an event and stops the timer (disconnectedCallback: an event from a detached
   * element would reach nobody).
   */
  reset(): void {
    this.clearTimer();
    this.sources.clear();
  }

  private clearTimer(): void {
    if (this.stepTimer !== undefined) clearTimeout(this.stepTimer);
    this.stepTimer = undefined;
  }
}
