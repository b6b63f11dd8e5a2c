// Kept for existing importers: Hugging Face folder loading lives in hf-load.ts and saving in hf-save.ts.
// Reference: see those files.
export { loadHfModel, readHfConfig, readHfTensors, type StoredTensor } from './hf-load';
export { saveHfModel, TOKENIZER_FILES, type HfSaveOptions } from './hf-save';
