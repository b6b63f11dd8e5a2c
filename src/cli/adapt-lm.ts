// Command: domain-adaptive pretraining of a base LM on a dataset's item knowledge (sentences from item
// metadata only) and the genre-match skill text, mixed with a replay of its general corpus; resumable.
// Writes a new model folder (never the base's) with a card, and appends a record to
// results/item-knowledge.json. Reference: README.md (Language models); Gururangan et al. 2020.
import * as fs from 'fs';
import * as path from 'path';
import * as tf from '@tensorflow/tfjs';
import { initBackend, parseBackendChoice } from '../backend/backend';
import { readEnv } from '../core/env';
import { readJson, writeFileAtomic, writeJsonAtomic } from '../core/io';
import { llmHash } from '../core/content-hash';
import { projectRoot, resolveModelDir, shownPath, storedPath } from '../core/paths';
import { provenanceSummary, startRun } from '../core/run-meta';
import { skillCorpus, skillProbes } from '../data/genre-skill';
import { tasteProbes } from '../data/taste-skill';
import { datasetContentOf } from '../data/dataset-files';
import { datasetItemCorpus, itemProbes, itemQuestions, type ItemProbeKind } from '../data/item-text';
import { loadDataset, parseDatasetName } from '../data/load';
import { saveHfModel } from '../llm/hf-save';
import { disposeLlama } from '../llm/weights';
import { ADAPT_PRESETS, adaptPreset } from '../lm/adapt-presets';
import { ADAPT_DEFAULTS, describeEval, evaluateKnowledge, makeAdaptConfig, runAdapt, type AdaptConfig, type AdaptEval } from '../lm/adapt';
import { readCorpusText, splitDocuments } from '../lm/corpus';
import { intFlag, numberFlag, parseFlags, runMain, type FlagSpec } from './args';
import { assertOutsideInputs, dataInputs } from './outputs';
import { adaptRecipe, type ItemKnowledgeRecord } from '../analysis/item-knowledge';

runMain(async () => {
  const flags: Record<string, FlagSpec> = {
    dataset: { type: 'string', help: 'dataset whose item metadata is learned (synthetic, collm-ml1m, ml-1m, ml-100k, amazon-book)' },
    model: { type: 'string', help: 'base model folder, read only (default models/kit-lm or $CFLLM_MODEL_DIR)' },
    out: { type: 'string', help: 'new model folder (default: models/kit-lm-<dataset> for the synthetic world, results/runs/kit-lm-<dataset> for real data)' },
    work: { type: 'string', help: 'work folder for token caches and checkpoints (default checkpoints/adapt-<out name>)' },
    corpus: { type: 'string', help: 'general corpus folder with train/valid.txt.gz (else $CFLLM_CORPUS_DIR, ../shared/corpora/gutenberg)' },
    'data-dir': { type: 'string', help: 'data folder for real datasets (else $CFLLM_DATA_DIR, data/, ../shared/data)' },
    'item-repeats': { type: 'int', help: 'sentences written per item', default: '24', min: 1, max: 1000 },
    'skill-examples': { type: 'int', help: 'genre-match skill paragraphs (0 = none)', default: '6000', min: 0, max: 1_000_000 },
    'skill-questions': { type: 'int', help: 'yes/no skill questions for the supervised answer loss (used when --questionBatch > 0)', default: '20000', min: 2, max: 1_000_000 },
    'skill-kind': { type: 'string', help: 'what the skill questions ask: match (a genre-coherent history, a target with or without its genre) | taste (a simulated user\'s mixed history, a favoured or disfavoured target)', default: 'match' },
    'titles-only-share': { type: 'number', help: 'share of the skill questions with titles only (the rest have genres written after each title) (default 0.5, or the preset\'s)', min: 0, max: 1 },
    preset: { type: 'string', help: `a named phase whose settings apply under explicit flags: ${Object.entries(ADAPT_PRESETS).map(([k, p]) => `${k} = ${p.summary}`).join('; ')}` },
    'item-question-kinds': { type: 'string', help: 'what the item questions ask (needs --itemQuestionBatch > 0): genre | decade | genre,decade (default genre,decade)' },
    'probe-items': { type: 'int', help: 'items in each item probe', default: '400', min: 1, max: 1_000_000 },
    'skill-probes': { type: 'int', help: 'questions in each skill probe', default: '200', min: 2, max: 100_000 },
    'max-minutes': { type: 'number', help: 'stop (resumably) after this many minutes of this call', min: 0 },
    backend: { type: 'string', help: 'auto | tensorflow | wasm | cpu (else $CFLLM_BACKEND)' },
  };
  for (const k of Object.keys(ADAPT_DEFAULTS) as (keyof AdaptConfig)[]) {
    const v = ADAPT_DEFAULTS[k];
    flags[k] = { type: Number.isInteger(v) && !['peakLr', 'minLr', 'weightDecay', 'adamBeta2', 'clip', 'itemShare', 'skillShare', 'factsShare', 'questionWeight', 'questionSmoothing'].includes(k) ? 'int' : 'number', help: `AdaptConfig.${k} (default ${String(v)}, or the preset's)` };
  }
  const f = parseFlags('adapt-lm', 'continue pretraining a base LM on a dataset\'s item knowledge + the genre-match skill, with general-corpus replay (resumable)', flags);
  const root = projectRoot();
  if (typeof f['dataset'] !== 'string') throw new Error('adapt-lm: --dataset is required (e.g. --dataset synthetic)');
  const dataset = parseDatasetName(f['dataset'], '--dataset');
  const base = path.resolve(resolveModelDir(f['model'] as string | undefined));
  const preset = typeof f['preset'] === 'string' ? adaptPreset(f['preset']) : null;
  const over: Record<string, number> = {};
  for (const k of Object.keys(ADAPT_DEFAULTS)) { const v = numberFlag(f, k); if (v !== undefined) over[k] = v; }
  const cfg = makeAdaptConfig({ ...(preset?.config ?? {}), ...over });
  const synthetic = dataset.startsWith('synthetic');
  const outName = `${path.basename(base)}-${dataset}`;
  const out = path.resolve((f['out'] as string | undefined) ?? (synthetic ? path.join(root, 'models', outName) : path.join(root, 'results', 'runs', outName)));
  const rel = path.relative(base, out);
  if (rel === '' || (!rel.startsWith('..') && !path.isAbsolute(rel))) throw new Error(`adapt-lm: --out ${out} is the base model's folder or inside it; the base is read only`);
  if (fs.existsSync(path.join(out, 'model.safetensors'))) throw new Error(`adapt-lm: ${out} already holds a model; choose another --out or delete it`);
  const work = path.resolve((f['work'] as string | undefined) ?? path.join(root, 'checkpoints', `adapt-${path.basename(out)}`));
  const corpus = path.resolve((f['corpus'] as string | undefined) ?? readEnv('CFLLM_CORPUS_DIR') ?? path.join(root, '..', 'shared', 'corpora', 'gutenberg'));
  for (const file of ['train.txt.gz', 'valid.txt.gz']) if (!fs.existsSync(path.join(corpus, file))) throw new Error(`adapt-lm: ${path.join(corpus, file)} not found (--corpus)`);
  const dataDirs = dataInputs(f['data-dir'] as string | undefined);
  assertOutsideInputs('--out', out, [{ flag: '--corpus', dir: corpus }, ...dataDirs]);
  assertOutsideInputs('--work', work, [{ flag: '--model', dir: base }, { flag: '--corpus', dir: corpus }, ...dataDirs]);
  const maxMinutes = numberFlag(f, 'max-minutes');
  const itemRepeats = intFlag(f, 'item-repeats')!, skillExamples = intFlag(f, 'skill-examples')!;
  const probeItems = intFlag(f, 'probe-items')!, nSkill = intFlag(f, 'skill-probes')!, nQuestions = intFlag(f, 'skill-questions')!;
  const titlesOnlyShare = numberFlag(f, 'titles-only-share') ?? preset?.titlesOnlyShare ?? 0.5;
  const skillKind = f['skill-kind'] as string;
  if (skillKind !== 'match' && skillKind !== 'taste') throw new Error(`adapt-lm: --skill-kind must be match or taste, got "${skillKind}"`);
  // the questions of the answer loss: `short` = the curriculum's first steps (two-item / short histories)
  const questionSet = (n: number, seed: number, withGenres: boolean, short: boolean) => (n === 0 ? [] : skillKind === 'match'
    ? skillProbes(items, { n, seed, withGenres, ...(short ? { maxHistory: 2 } : {}) })
    : tasteProbes(items, { n, seed, withGenres, ...(short ? { maxHistory: 3 } : {}) }));
  const nTitlesOnly = Math.round(nQuestions * titlesOnlyShare), nWithGenres = nQuestions - nTitlesOnly;
  const kindsFlag = f['item-question-kinds'] as string | undefined;
  if (kindsFlag !== undefined && cfg.itemQuestionBatch === 0) throw new Error('adapt-lm: --item-question-kinds needs --itemQuestionBatch > 0 (no item questions are trained without it)');
  const itemKinds = (kindsFlag ?? 'genre,decade').split(',').map((k) => k.trim());
  for (const k of itemKinds) if (k !== 'genre' && k !== 'decade') throw new Error(`adapt-lm: --item-question-kinds: "${k}" is not genre or decade`);
  if (new Set(itemKinds).size !== itemKinds.length) throw new Error(`adapt-lm: --item-question-kinds names a kind twice: ${kindsFlag}`);
  const backend = await initBackend(parseBackendChoice((f['backend'] as string | undefined) ?? readEnv('CFLLM_BACKEND'), '--backend'));
  const log = (s: string): void => { process.stdout.write(s + '\n'); };

  const ds = loadDataset(dataset, { dataDir: f['data-dir'] as string | undefined });
  const items = ds.items;
  // built before the run folder is written: a catalogue too small or without genres is refused first
  const skill = {
    skillWithGenres: skillProbes(items, { n: nSkill, seed: 1000 + cfg.seed, withGenres: true }),
    skillTitlesOnly: skillProbes(items, { n: nSkill, seed: 1000 + cfg.seed, withGenres: false }),
    tasteWithGenres: tasteProbes(items, { n: nSkill, seed: 1000 + cfg.seed, withGenres: true }),
    tasteTitlesOnly: tasteProbes(items, { n: nSkill, seed: 1000 + cfg.seed, withGenres: false }),
  };
  const run = startRun({ seed: cfg.seed, backend, projectRoot: root, runDir: work, llmDir: base, dataset: datasetContentOf(ds) });
  const inputs = {
    itemText: datasetItemCorpus(ds, { repeats: itemRepeats, seed: cfg.seed }),
    skillText: skillExamples > 0 ? skillCorpus(items, { examples: skillExamples, seed: cfg.seed }) : '',
    // training questions use other seeds than the probes below (other histories and pairs)
    ...(cfg.questionBatch > 0 ? { questions: [...questionSet(nWithGenres, 2000 + cfg.seed, true, false), ...questionSet(nTitlesOnly, 3000 + cfg.seed, false, false)] } : {}),
    ...(cfg.itemQuestionBatch > 0 ? { itemQuestions: itemQuestions(items, itemKinds as ItemProbeKind[]) } : {}),
    ...(cfg.questionShortSteps > 0 ? { questionsShort: [...questionSet(nWithGenres, 4000 + cfg.seed, true, true), ...questionSet(nTitlesOnly, 5000 + cfg.seed, false, true)] } : {}),
    replayText: readCorpusText(path.join(corpus, 'train.txt.gz')).slice(0, cfg.replayChars),
    heldOutText: splitDocuments(readCorpusText(path.join(corpus, 'valid.txt.gz'))).join(''),
    // during training: the skill probes and a quarter of each item-genre probe
    progressProbes: { ...skill, itemGenreHeldIn: itemProbes(items, 'genre', 'heldIn', Math.ceil(probeItems / 4)), itemGenreUnseen: itemProbes(items, 'genre', 'unseen', Math.ceil(probeItems / 4)) },
    probes: {
      itemGenreHeldIn: itemProbes(items, 'genre', 'heldIn', probeItems),
      itemGenreUnseen: itemProbes(items, 'genre', 'unseen', probeItems),
      itemDecadeHeldIn: itemProbes(items, 'decade', 'heldIn', probeItems),
      ...skill,
    },
  };
  log(`adapting ${storedPath(base)} on ${dataset} (${items.length} items; item text ${inputs.itemText.length} chars, skill text ${inputs.skillText.length} chars) -> ${storedPath(out)}`);
  const r = await runAdapt(cfg, base, work, inputs, { ...(maxMinutes !== undefined ? { maxSeconds: maxMinutes * 60 } : {}), onProgress: log });
  run.checkpoint();
  if (r.finished) {
    log('probing the adapted model...');
    const before = r.state.before!, after = await evaluateKnowledge(r.model, r.tokenizer, inputs, cfg);
    log(`  adapted: ${describeEval(after)}`);
    const meta = run.finish();
    saveHfModel(r.model, out, { tokenizerDir: base, metadata: { source: 'cf-llm-kit adapt-lm', base: path.basename(base), dataset } });
    const ip = (e: AdaptEval) => e.probes['itemGenreHeldIn']!;
    const record: ItemKnowledgeRecord = {
      dataset, model: shownPath(out), modelHash: llmHash(out), base: shownPath(base),
      itemProbe: { top1Before: ip(before).top1, top1After: ip(after).top1, chance: ip(after).chance, n: ip(after).n },
      heldOutPpl: { before: before.heldOutPpl, after: after.heldOutPpl },
      factTop1: { before: before.factTop1, after: after.factTop1 },
      tokens: r.state.tokensSeen, wallSeconds: meta.wallSeconds,
      probes: { before: before.probes, after: after.probes },
      config: { adapt: cfg, itemRepeats, skillExamples, skillQuestions: cfg.questionBatch > 0 ? nQuestions : 0, skillKind, titlesOnlyShare, itemQuestionKinds: cfg.itemQuestionBatch > 0 ? itemKinds : [], preset: f['preset'] ?? null, probeItems, skillProbes: nSkill, corpus: shownPath(corpus) },
      meta: { ...provenanceSummary(meta), startedAt: meta.startedAt, seed: cfg.seed },
    };
    writeJsonAtomic(path.join(out, 'card.json'), { ...record, training: r.state, heldOutTokens: after.heldOutTokens });
    writeFileAtomic(path.join(out, 'README.md'), card(record, dataset, items.length));
    const resultsFile = path.join(root, 'results', 'item-knowledge.json');
    const prev = fs.existsSync(resultsFile) ? readJson<{ records: ItemKnowledgeRecord[] }>(resultsFile).records : [];
    writeJsonAtomic(resultsFile, { note: 'one record per adapted model (npm run adapt-lm); itemProbe = genre of a title among all genres, held-in phrasing, hit = a true genre ranked first', records: [...prev, record] });
    log(`wrote ${storedPath(out)}/ and appended to ${storedPath(resultsFile)}`);
  }
  disposeLlama(r.model);
  tf.disposeVariables();
});

function pct(x: number): string {
  return `${(100 * x).toFixed(1)}%`;
}

function card(rec: ItemKnowledgeRecord, dataset: string, nItems: number): string {
  const names = Object.keys(rec.probes.after);
  return `# ${path.basename(rec.model)}: ${rec.base} adapted to the items of ${dataset}

Continued pretraining (\`npm run adapt-lm -- --dataset ${dataset}\`) of \`${rec.base}\` on sentences written from the
item metadata of ${dataset} (${nItems} items: title, year, genres; never ratings, users or labels) and on
genre-match skill text built from the same metadata, mixed with a replay of the base's general corpus
(Gutenberg + facts); each step trained on ${adaptRecipe(rec.config)}. ${rec.tokens} tokens, ${(rec.wallSeconds / 60).toFixed(1)} min wall time. Config in card.json.

| measure | before | after |
|---|---|---|
| item genre probe, held-in phrasing, top-1 (n ${rec.itemProbe.n}, chance ${pct(rec.itemProbe.chance)}) | ${pct(rec.itemProbe.top1Before)} | **${pct(rec.itemProbe.top1After)}** |
| held-out perplexity (general corpus) | ${rec.heldOutPpl.before.toFixed(2)} | ${rec.heldOutPpl.after.toFixed(2)} |
| fact probes, held-in, top-1 | ${pct(rec.factTop1.before)} | ${pct(rec.factTop1.after)} |
${names.map((k) => `| probe ${k} (n ${rec.probes.after[k]!.n}, chance ${pct(rec.probes.after[k]!.chance)}) | ${pct(rec.probes.before[k]!.top1)} | ${pct(rec.probes.after[k]!.top1)} |`).join('\n')}

Probes: item genre = the title's genre ranked among all genres (a hit = a true genre first); decade
likewise with the bare title; skill = TALLRec's question over a genre-coherent history, target sharing the
genre (Yes) or none of the history's genres (No), with genres written after each title or titles only.
Backend ${rec.meta.backend} (${rec.meta.matmulPath}), tfjs ${rec.meta.versions.tfjs}, started ${rec.meta.startedAt}.
`;
}
