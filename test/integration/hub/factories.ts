import { randomBytes } from 'node:crypto';
import { jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import { type EmbeddedHubOptions, type Hub, openEmbeddedHub, openNatsHub } from '../../../src/hub/index.js';
import { SERVICES } from '../../helpers/services.js';
import { tempDir } from '../../helpers/tmp.js';
import type { HubFactory, HubHandle } from './contract.js';
import { serveHub } from './http-server.js';

/** An embedded hub in a fresh temp dir. */
export function embeddedFactory(name: string, extra: Partial<EmbeddedHubOptions> = {}): HubFactory {
  return {
    name,
    contiguous: true,
    async open(): Promise<HubHandle> {
      const tmp = tempDir('lakecast-hub-');
      let hub: Hub = await openEmbeddedHub({ dir: tmp.dir, retentionCheckMs: 0, ...extra });
      return {
        get hub() {
          return hub;
        },
        async reopen() {
          await hub.close();
          hub = await openEmbeddedHub({ dir: tmp.dir, retentionCheckMs: 0, ...extra });
          return hub;
        },
        async cleanup() {
          await hub.close();
          tmp.cleanup();
        },
      };
    },
  };
}

/** The HTTP client in front of an embedded hub served by the hub routes. */
export function httpFactory(name: string, extra: Partial<EmbeddedHubOptions> = {}): HubFactory {
  return {
    name,
    contiguous: true,
    async open(): Promise<HubHandle> {
      const tmp = tempDir('lakecast-hub-http-');
      let inner = await openEmbeddedHub({ dir: tmp.dir, retentionCheckMs: 0, ...extra });
      let served = await serveHub(inner);
      return {
        get hub() {
          return served.client;
        },
        async reopen() {
          await served.app.close();
          await inner.close();
          inner = await openEmbeddedHub({ dir: tmp.dir, retentionCheckMs: 0, ...extra });
          served = await serveHub(inner);
          return served.client;
        },
        async cleanup() {
          await served.app.close();
          await inner.close();
          tmp.cleanup();
        },
      };
    },
  };
}

/** A NATS JetStream hub with a random prefix; cleanup deletes every stream it created. */
export function natsFactory(name: string): HubFactory {
  return {
    name,
    contiguous: false,
    async open(): Promise<HubHandle> {
      const prefix = `LCT_${randomBytes(4).toString('hex')}`;
      const url = SERVICES.nats.url;
      let hub: Hub = await openNatsHub({ url, prefix });
      return {
        get hub() {
          return hub;
        },
        async reopen() {
          await hub.close();
          hub = await openNatsHub({ url, prefix });
          return hub;
        },
        async cleanup() {
          await hub.close();
          const nc = await connect({ servers: url });
          const jsm = await jetstreamManager(nc);
          for await (const s of jsm.streams.names()) {
            if (s.startsWith(`${prefix}_`)) await jsm.streams.delete(s);
          }
          await nc.close();
        },
      };
    },
  };
}
