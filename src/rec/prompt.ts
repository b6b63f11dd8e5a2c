// The recommendation prompts of TALLRec (as re-run by CoLLM, and used unchanged by CoRA) and CoLLM,
// byte-exact: histories of at most 10 quoted titles joined by ", ", "unkow" for an empty history, the
// literal backslash-n before "#Answer:", one placeholder token per CF embedding in CoLLM's prompt, and
// BinLLM's codes written as text where CoLLM has its placeholders.
// Reference: docs/methods.md §2, §10; CoLLM prompts/*.txt; TALLRec; BinLLM minigpt4rec_v2.py recprompt_wrap_v3.
import type { Dataset, InteractionSplit } from '../data/types';

/** Which prompt a method uses. */
export type PromptKind = 'tallrec' | 'collm' | 'binllm';

/** The placeholder text CoLLM writes for <UserID> / <TargetItemID>; each must encode to one token. */
export const PLACEHOLDER = '<unk>';

/** The answer token whose logit is the score. */
export const ANSWER_TEXT = 'Yes';

/** TALLRec's template; `\\n` is a backslash and an n, as in the original prompt files. */
export const TALLREC_TEMPLATE = '#Question: A user has given high ratings to the following movies: <ItemTitleList>. Leverage the information to predict whether the user would enjoy the movie titled <TargetItemTitle>? Answer with "Yes" or "No". \\n#Answer:';

/** CoLLM's template (with the two CF placeholders). */
export const COLLM_TEMPLATE = '#Question: A user has given high ratings to the following movies: <ItemTitleList>. Additionally, we have information about the user\'s preferences encoded in the feature <UserID>. Using all available information, make a prediction about whether the user would enjoy the movie titled <TargetItemTitle> with the feature <TargetItemID>? Answer with "Yes" or "No". \\n#Answer:';

/**
 * BinLLM's template: CoLLM's words, <UserID> / <TargetItemID> filled with the user's and item's codes as
 * text (recprompt_wrap_v3). Assumed: the official prompts/hash_text.txt was not available to check.
 */
export const BINLLM_TEMPLATE = COLLM_TEMPLATE;

/** The text a prompt writes for a user and for an item (BinLLM's codes); dense 0-based indices. */
export interface PromptCodes {
  user(userIdx: number): string;
  item(itemIdx: number): string;
}

/** Most history titles shown in a prompt. */
export const MAX_HISTORY_TITLES = 10;

/** The history part: the last (at most 10) titles, each in double quotes, joined by ", "; "unkow" when empty. */
export function historyText(titles: readonly string[]): string {
  const last = titles.slice(-MAX_HISTORY_TITLES);
  return last.length === 0 ? 'unkow' : last.map((t) => `"${t}"`).join(', ');
}

/** Fills a template with history titles and the target title (and, for BinLLM, the user's and item's code text). */
export function fillPrompt(kind: PromptKind, historyTitles: readonly string[], targetTitle: string, ids?: { readonly user: string; readonly item: string }): string {
  if (kind === 'binllm' && !ids) throw new Error('fillPrompt: a BinLLM prompt needs the user\'s and item\'s code text');
  const t = kind === 'tallrec' ? TALLREC_TEMPLATE : kind === 'binllm' ? BINLLM_TEMPLATE : COLLM_TEMPLATE;
  const fill: Readonly<Record<string, string>> = {
    '<ItemTitleList>': historyText(historyTitles), '<TargetItemTitle>': `"${targetTitle}"`,
    '<UserID>': kind === 'binllm' ? ids!.user : PLACEHOLDER, '<TargetItemID>': kind === 'binllm' ? ids!.item : PLACEHOLDER,
  };
  // one pass with a replacer function: titles are inserted verbatim (no `$&` / `$1` patterns) and a title
  // that itself reads "<TargetItemTitle>" is never filled again
  return t.replace(/<ItemTitleList>|<TargetItemTitle>|<UserID>|<TargetItemID>/g, (m) => fill[m]!);
}

/** The prompt of one row of a split; BinLLM prompts need the codes. */
export function rowPrompt(kind: PromptKind, ds: Dataset, split: InteractionSplit, row: number, codes?: PromptCodes): string {
  const hist: string[] = [];
  for (let j = split.histOffsets[row]!; j < split.histOffsets[row + 1]!; j++) hist.push(ds.items[split.histItems[j]!]!.title);
  const ids = codes ? { user: codes.user(split.userIdx[row]!), item: codes.item(split.itemIdx[row]!) } : undefined;
  return fillPrompt(kind, hist, ds.items[split.itemIdx[row]!]!.title, ids);
}
