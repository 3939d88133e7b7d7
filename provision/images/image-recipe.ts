import type { TarballContents } from './tarball-contents.ts';

/** A root filesystem built offline and cached as a tarball keyed by the hash of its inputs. */
export interface BuiltImage {
  name: string;
  tarballPath: string;
  /** sha256 of the tarball itself, recorded as provenance. */
  tarballSha256: string;
  tarballBytes: number;
  /** Whether this call built it, or found it in the cache. */
  fromCache: boolean;
  /** Its files, directories and bytes, read from the tarball (absent where a test makes one by hand). */
  contents?: TarballContents;
}

export interface ImageRecipe {
  name: string;
  /** What the recipe needs from the host: binaries looked up on PATH. */
  requiredBinaries: string[];
  build(cacheDir: string, scratchDir: string): Promise<BuiltImage>;
}
