/**
 * The host's assets extension (npm package `wam-extensions`, types only: importing its code would add a global to
 * the page): a host that keeps a project's audio files sets `window.WAMExtensions.assets`; a plugin picks an
 * audio file of the project with pickAsset, fetches it again later with loadAsset, and registers a delegate whose
 * fetchAssetList() names the assets it uses, so the host can collect the project. Main thread only.
 */
import type { AssetExtension, WamAsset } from 'wam-extensions';

export type { AssetExtension, WamAsset };

/** The host's assets extension, or null when the page has none (or not both of pickAsset and loadAsset). */
export function hostAssets(): AssetExtension | null {
  const ext = (globalThis as { WAMExtensions?: { assets?: AssetExtension } }).WAMExtensions;
  const assets = ext !== null && typeof ext === 'object' ? ext.assets : undefined;
  return assets !== null && typeof assets === 'object' && typeof assets.register === 'function' ? assets : null;
}

/** Whether the host can let the user pick a file of the project. */
export function canPickAsset(): boolean {
  return typeof hostAssets()?.pickAsset === 'function';
}

/**
 * Asks the host for an audio file of the project. Resolves to the asset with its content (fetched with
 * loadAsset when the host handed back no content), or null when the user cancelled.
 */
export function pickAudioAsset(instanceId: string): Promise<{ asset: WamAsset; content: Blob } | null> {
  const assets = hostAssets();
  if (assets === null || typeof assets.pickAsset !== 'function') {
    return Promise.reject(new Error('the host offers no assets extension (window.WAMExtensions.assets.pickAsset)'));
  }
  return new Promise((resolve, reject) => {
    try {
      assets.pickAsset!(instanceId, 'AUDIO', async (asset) => {
        try {
          if (asset === undefined || asset === null) resolve(null);
          else resolve({ asset, content: asset.content ?? (await loadAudioAsset(instanceId, asset.uri)) });
        } catch (e) {
          reject(e);
        }
      });
    } catch (e) {
      reject(e);
    }
  });
}

/** Fetches an asset's content from the host by its URI. Rejects when the host cannot. */
export async function loadAudioAsset(instanceId: string, uri: string): Promise<Blob> {
  const assets = hostAssets();
  if (assets === null || typeof assets.loadAsset !== 'function') {
    throw new Error('the host offers no assets extension (window.WAMExtensions.assets.loadAsset)');
  }
  const asset = await assets.loadAsset(instanceId, uri);
  if (asset === undefined || asset === null || !(asset.content instanceof Blob)) throw new Error(`the host has no content for asset "${uri}"`);
  return asset.content;
}
