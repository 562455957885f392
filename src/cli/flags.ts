import { Option, type Command } from 'commander';
import type { MeasureOptions } from '../pipeline.js';
import type { ShiftMode, Similarity, TransformName } from '../types.js';
import { choice, numberList, positiveInt, shardSpec, shiftList, transformList } from './parse.js';

/** Flags shared by `measure` and `layers`, as commander parses them. */
export interface MeasureFlags {
  name?: string;
  transform?: TransformName[];
  images?: string;
  synthetic?: number;
  seed?: number;
  preset?: 'imagenet' | 'fmnist' | 'none';
  size?: number;
  channels?: number;
  mean?: number[];
  std?: number[];
  layout?: 'NCHW' | 'NHWC';
  shifts?: number[];
  shiftMode?: ShiftMode;
  layers?: 'default' | 'all' | 'blocks';
  /** `--layer NAME`, repeated: exactly these tensors (the library's `layers: string[]`). */
  layer?: string[];
  include?: string;
  exclude?: string;
  pool?: string;
  final?: string;
  similarity?: Similarity;
  maxImages?: number;
  nullImages?: number;
  batch?: number;
  threads?: number;
  device?: 'cpu' | 'cuda';
  labels?: string;
  classes?: string;
  shard?: { index: number; count: number };
  /** false with `--no-cache`. */
  cache?: boolean;
}

/** Flags that choose the probe set and read the model (shared by `layers` and `measure`). */
export function addModelFlags(cmd: Command): Command {
  return cmd
    .option('--layers <set>', 'probe set: default (stem, nonlinearities, residual merges, pooling, Pool, Final) | blocks (stem, one output per residual or transformer block, Pool, Final) | all (every tensor; lists the others with the reason)', choice(['default', 'blocks', 'all'] as const), 'default')
    .option('--layer <name>', 'probe exactly this tensor (repeat for several; the names `equiprobe layers` prints); replaces --layers', (v: string, names: string[] = []) => [...names, v])
    .option('--include <regex>', 'probe only tensors whose name matches')
    .option('--exclude <regex>', 'skip tensors whose name matches')
    .option('--pool <tensor>', 'tensor to use as the Pool part')
    .option('--final <tensor>', 'tensor to use as the Final part')
    .option('--size <n>', 'input size for models with a dynamic spatial size; images are resized to it', positiveInt)
    .option('--layout <layout>', 'input layout when detection is wrong: NCHW | NHWC', choice(['NCHW', 'NHWC'] as const))
    .option('--threads <n>', 'onnxruntime threads (default: all cores)', positiveInt)
    .addOption(new Option('--device <device>', 'execution provider').choices(['cpu', 'cuda']).default('cpu'))
    .option('--no-cache', 'neither read nor write the cache of models seen before (the model\'s SHA-256 and graph, discovery, and the optimised scored models, about the model\'s size each, at most 1 GiB, least recently used deleted first) in $EQUIPROBE_CACHE_DIR, else $XDG_CACHE_HOME/equiprobe or ~/.cache/equiprobe');
}

/** All flags of `measure`. */
export function addMeasureFlags(cmd: Command): Command {
  addModelFlags(cmd);
  return cmd
    .option('--name <name>', 'model name in the results (default: the file name)')
    .option('-t, --transform <name>', 'rot90 | translate | hflip | vflip | d4 (repeat or comma-separate for several; default: rot90)', transformList)
    .option('--images <dir>', 'folder of PNG/JPEG images (recursive, sorted); needs --preset, or --mean and --std')
    .option('--synthetic <n>', 'seeded noise images when no --images is given (default 32)', positiveInt)
    .option('--seed <n>', 'seed for synthetic images', (v) => Number(v), 0)
    .option('--preset <name>', 'preprocessing the model was trained with: imagenet | fmnist | none (none: pixels/255)', choice(['imagenet', 'fmnist', 'none'] as const))
    .option('--channels <n>', 'image channels fed to the model (1 or 3)', positiveInt)
    .option('--mean <list>', 'per-channel mean, e.g. 0.485,0.456,0.406', numberList)
    .option('--std <list>', 'per-channel std, e.g. 0.229,0.224,0.225', numberList)
    .option('--shifts <list>', 'translate shifts: 1..8, 4 or 1,2,4 (default: 1..32, only those below half the input height)', shiftList)
    .option('--shift-mode <mode>', 'translate input mode: crop | roll | zero (default: crop)', choice(['crop', 'roll', 'zero'] as const))
    .option('--similarity <name>', 'pearson | cosine', choice(['pearson', 'cosine'] as const), 'pearson')
    .option('--max-images <n>', 'use the first N images in sorted path order (with class subfolders: whole classes, in folder order)', positiveInt)
    .option('--null-images <m>', 'score the chance level of map layers on the first M images of the null order', positiveInt, 256)
    .option('--batch <n>', 'images per forward pass', positiveInt, 32)
    .option('--labels <csv>', 'labels CSV (file,label) for accuracy; default: labels.csv in the image folder')
    .option('--classes <file>', "labels from class subfolders <images>/<class>/: line i of FILE is the folder name of the model's class index i")
    .option('--shard <i/n>', 'measure only shard i of n (merge shards with `equiprobe merge`)', shardSpec);
}

/** Turns parsed flags into library options: flags are named after the options they set. */
export function measureOptionsFrom(model: string, f: MeasureFlags): MeasureOptions {
  return {
    model,
    name: f.name,
    transforms: f.transform ?? ['rot90'],
    images: f.images,
    synthetic: f.synthetic,
    seed: f.seed,
    preset: f.preset,
    size: f.size,
    channels: f.channels,
    mean: f.mean,
    std: f.std,
    layout: f.layout,
    shifts: f.shifts,
    shiftMode: f.shiftMode,
    layers: f.layer && f.layer.length > 0 ? f.layer : f.layers,
    include: f.include,
    exclude: f.exclude,
    pool: f.pool,
    final: f.final,
    similarity: f.similarity,
    maxImages: f.maxImages,
    nullImages: f.nullImages,
    batch: f.batch,
    threads: f.threads,
    device: f.device,
    labels: f.labels,
    classes: f.classes,
    shard: f.shard,
    cache: f.cache,
  };
}
