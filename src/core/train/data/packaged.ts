/**
 * Datasets that a Debian machine installs as packages, found by name (`--data fashion-mnist`),
 * so that real data needs no download: `apt-get install dataset-fashion-mnist` puts the four
 * gzipped IDX files of Fashion-MNIST (Xiao, Rasul & Vollgraf 2017; 60,000 training and
 * 10,000 test images, 28x28 grey, 10 classes) in /usr/share/datasets/fashion-mnist.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { DatasetError } from './errors';

export interface PackagedDataset {
  /** The name `--data` takes. */
  readonly name: string;
  /** The Debian package that installs it. */
  readonly debianPackage: string;
  /** Where the package puts its files. */
  readonly dirs: readonly string[];
  /** A file that must be there. */
  readonly probe: string;
  readonly format: 'mnist';
}

export const PACKAGED_DATASETS: readonly PackagedDataset[] = [
  {
    name: 'fashion-mnist',
    debianPackage: 'dataset-fashion-mnist',
    dirs: ['/usr/share/datasets/fashion-mnist'],
    probe: 'train-images-idx3-ubyte.gz',
    format: 'mnist',
  },
];

/** The folder of an installed packaged dataset, or a `missing` error that names the package. */
export function findPackagedDataset(d: PackagedDataset, dirs: readonly string[] = d.dirs): string {
  for (const dir of dirs) if (existsSync(join(dir, d.probe))) return dir;
  throw new DatasetError(
    'missing',
    `${d.name} is not installed: apt-get install ${d.debianPackage} (it puts the files in ${d.dirs.join(' or ')}), or pass ${d.format}:DIR with the four IDX files`,
  );
}
