/**
 * The GUI bundle (dist/plugin/gui.js), loaded by LevelMatch.createGui() on first use. Main thread only; needs a
 * DOM. Registers the custom elements (all named levelmatch-*, defined once per page).
 */
import { LevelMatchGui, type GuiNode } from './levelmatch-gui.ts';

export { LevelMatchGui, type GuiNode } from './levelmatch-gui.ts';
export { THEME_DEFAULTS } from './theme.ts';

/** A new GUI element for a node. Remove it with destroyLevelMatchGui (or el.destroy()). */
export function createLevelMatchGui(node: GuiNode): LevelMatchGui {
  return new LevelMatchGui(node);
}

/** Disconnects the GUI from its node for good and removes it from the page. */
export function destroyLevelMatchGui(el: Element): void {
  if (el instanceof LevelMatchGui) el.destroy();
  else el.remove();
}
