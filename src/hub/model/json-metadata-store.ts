import { promises as fsp } from 'node:fs';
import path from 'node:path';
import { emptyMetadata, type HubMetadata, type HubMetadataStore } from './metadata.js';

/**
 * Writes `data` to `file` atomically: a temp file in the same directory, fsync, rename over the target, fsync
 * the directory (so the rename itself survives a crash).
 */
export async function writeFileAtomic(file: string, data: string | Uint8Array): Promise<void> {
  const dir = path.dirname(file);
  const tmp = path.join(dir, `.${path.basename(file)}.${process.pid}.${Date.now()}.tmp`);
  const fh = await fsp.open(tmp, 'w', 0o600);
  try {
    await fh.writeFile(data);
    await fh.sync();
  } finally {
    await fh.close();
  }
  await fsp.rename(tmp, file);
  const dh = await fsp.open(dir, 'r');
  try {
    await dh.sync();
  } finally {
    await dh.close();
  }
}

/** {@link HubMetadataStore} in one JSON file (`<hubDir>/hub-meta.json`), replaced atomically on each update. */
export class JsonFileMetadataStore implements HubMetadataStore {
  private current: HubMetadata | undefined;
  private chain: Promise<unknown> = Promise.resolve();

  constructor(private readonly file: string) {}

  async read(): Promise<HubMetadata> {
    if (!this.current) {
      try {
        this.current = JSON.parse(await fsp.readFile(this.file, 'utf8')) as HubMetadata;
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
        this.current = emptyMetadata();
      }
    }
    return structuredClone(this.current);
  }

  update(mutate: (current: HubMetadata) => HubMetadata): Promise<HubMetadata> {
    const run = async (): Promise<HubMetadata> => {
      const next = mutate(await this.read());
      await writeFileAtomic(this.file, JSON.stringify(next, null, 1));
      this.current = structuredClone(next);
      return next;
    };
    const p = this.chain.then(run, run);
    this.chain = p.catch(() => undefined);
    return p;
  }
}
