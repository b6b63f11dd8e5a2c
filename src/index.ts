// The kit's public entry, by layer from the bottom up (each section only builds on the ones above it).
// Internal kernels (src/backend's wasm/native kernel patches) are not re-exported: they install themselves
// through initBackend. Reference: docs/architecture.md §1-2 (layers and boundaries).

// Core: configs, seeded randomness, checkpoints, safetensors, optimiser and schedules, paths, run metadata.
export * from './core/types';
export * from './core/config';
export * from './core/rng';
export * from './core/io';
export * from './core/paths';
export * from './core/env';
export * from './core/safetensors';
export * from './core/checkpoint';
export * from './core/variable';
export * from './core/optim';
export * from './core/schedule';
export * from './core/clip';
export * from './core/train';
export * from './core/finite';
export * from './core/grads';
export * from './core/loss';
export * from './core/interrupt';
export * from './core/progress';
export * from './core/run-meta';
export * from './core/content-hash';
export * from './core/git-info';

// Backend: choose tfjs-node / wasm (+ kit kernels, optional native BLAS addon) / cpu.
export * from './backend/backend';
export * from './backend/native-gemm';
export * from './backend/heap';

// Data: readers, the CoLLM protocol, splits, warm/cold, the synthetic world (typed arrays, no tensors).
export * from './data/types';
export * from './data/load';
export * from './data/dataset-files';
export * from './data/raw';
export * from './data/text-file';
export * from './data/movielens';
export * from './data/amazon';
export * from './data/protocol';
export * from './data/collm';
export * from './data/synthetic';
export * from './data/subset';
export * from './data/batching';
export * from './data/warm-cold';
export * from './data/row-attributes';
export * from './data/pair-grid';
export * from './data/item-text';
export * from './data/genre-skill';

// Metrics: AUC, UAUC, log loss, ranking metrics, bootstrap intervals, DeLong (plain numbers).
export * from './metrics/auc';
export * from './metrics/uauc';
export * from './metrics/logloss';
export * from './metrics/ranking';
export * from './metrics/bootstrap';
export * from './metrics/delong';
export * from './metrics/paired-bootstrap';

// CF models: MF, LightGCN, SASRec, DIN behind one contract and a registry; their trainer.
export * from './cf/types';
export * from './cf/registry';
export * from './cf/backbone';
export * from './cf/mf';
export * from './cf/lightgcn';
export * from './cf/sasrec';
export * from './cf/din';
export * from './cf/content';
export * from './cf/hash-mf';
export * from './cf/batch';
export * from './cf/train';
export * from './cf/checkpoint';

// LLM: the LLaMA-family decoder, loading/saving, tokenizer, generation, adapters.
export * from './llm/config';
export * from './llm/weights';
export * from './llm/init';
export * from './llm/model';
export * from './llm/layers';
export * from './llm/attention';
export * from './llm/rope';
export * from './llm/kv-cache';
export * from './llm/hf-load';
export * from './llm/hf-save';
export * from './llm/llama2c';
export * from './llm/tokenizer';
export * from './llm/generate';
export * from './llm/perplexity';
export * from './llm/adapters';
export * from './llm/memory';

// Language-model training: BPE, corpora, pretraining, probes, retention measures.
export * from './lm/bpe';
export * from './lm/corpus';
export * from './lm/facts';
export * from './lm/loss';
export * from './lm/pretrain';
export * from './lm/probes';
export * from './lm/retention';
export * from './lm/ranked-cloze';
export * from './lm/adapt';

// LLM recommenders: prompts, batches, the Yes-logit scorer, the shared training loop, the methods.
export * from './rec/prompt';
export * from './rec/encode';
export * from './rec/batch';
export * from './rec/method';
export * from './rec/text-methods';
export * from './rec/train';
export * from './rec/accumulate';
export * from './rec/readout';
export * from './collm/mapping';
export * from './collm/method';
export * from './cora/generator';
export * from './cora/method';
export * from './binllm/codes';
export * from './binllm/method';

// Runner: experiments end to end (train, checkpoint, evaluate, write results), the notebook suite, tables.
export * from './runner/evaluate';
export * from './runner/cf-experiment';
export * from './runner/methods';
export * from './runner/rec-config';
export * from './runner/rec-run';
export * from './runner/rec-experiment';
export * from './runner/load-rec-run';
export * from './runner/scale';
export * from './runner/suite';
export * from './runner/cf-report';
export * from './runner/ml1m-plan';
export * from './runner/tables';

// Analysis: what the notebooks look at (weight deltas, mapped tokens, warm/cold, ranks, retention).
export * from './analysis/linalg';
export * from './analysis/summaries';
export * from './analysis/training-curves';
export * from './analysis/run-compare';
export * from './analysis/run-comparison';
export * from './analysis/lora-delta';
export * from './analysis/cora-delta';
export * from './analysis/collm-inspect';
export * from './analysis/cora-inspect';
export * from './analysis/delta-report';
export * from './analysis/warm-cold-report';
export * from './analysis/family-comparison';
export * from './analysis/genre-signal';
export * from './analysis/text-readout';
export * from './analysis/text-readout-table';
export * from './analysis/logistic';
export * from './analysis/rank-ablation';
export * from './analysis/retention-sets';
export * from './analysis/ml1m-table';
export * from './analysis/demo-summary';
export * from './analysis/readme';
export * from './analysis/item-knowledge';
export * from './analysis/rank-ablation-cost';
export * from './analysis/notebook-session';

// Figures and display: plotly figure builders, tslab display, PNG/SVG export, HTML tables.
export * from './viz/plotly';
export * from './viz/axis';
export * from './viz/box';
export * from './viz/panels';
export * from './viz/heatmap-grid';
export * from './viz/describe';
export * from './viz/display';
export * from './viz/export';
export * from './viz/tables';
export * from './viz/training-curves';
export * from './viz/save-figures';
