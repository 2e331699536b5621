import { type EmbeddedHubOptions, openEmbeddedHub } from './embedded.js';
import { type NatsHubOptions, openNatsHub } from './nats/nats-hub.js';
import type { Hub } from './types.js';

/**
 * Opens the hub a `--hub` setting names: a `nats://` URL (NATS JetStream back-end) or a directory (embedded
 * log). Extra options go to the chosen back-end.
 */
export function openHub(
  location: string,
  options: { embedded?: Omit<EmbeddedHubOptions, 'dir'>; nats?: Omit<NatsHubOptions, 'url'> } = {},
): Promise<Hub> {
  if (/^nats:\/\//i.test(location)) return openNatsHub({ ...options.nats, url: location });
  return openEmbeddedHub({ ...options.embedded, dir: location });
}
