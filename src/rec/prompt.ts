// The recommendation prompts of TALLRec (as re-run by CoLLM, and used unchanged by CoRA) and CoLLM,
// byte-exact: histories of at most 10 quoted titles joined by ", ", "unkow" for an empty history, the
// literal backslash-n before "#Answer:", and one placeholder token per CF embedding in CoLLM's prompt.
// Reference: docs/methods.md §2; CoLLM prompts/*.txt; TALLRec.
import type { Dataset, InteractionSplit } from '../data/types';

/** Which prompt a method uses. */
export type PromptKind = 'tallrec' | 'collm';

/** The placeholder text CoLLM writes for <UserID> / <TargetItemID>; each must encode to one token. */
export const PLACEHOLDER = '<unk>';

/** The answer token whose logit is the score. */
export const ANSWER_TEXT = 'Yes';

/** TALLRec's template; `\\n` is a backslash and an n, as in the original prompt files. */
export const TALLREC_TEMPLATE = '#Question: A user has given high ratings to the following movies: <ItemTitleList>. Leverage the information to predict whether the user would enjoy the movie titled <TargetItemTitle>? Answer with "Yes" or "No". \\n#Answer:';

/** CoLLM's template (with the two CF placeholders). */
export const COLLM_TEMPLATE = '#Question: A user has given high ratings to the following movies: <ItemTitleList>. Additionally, we have information about the user\'s preferences encoded in the feature <UserID>. Using all available information, make a prediction about whether the user would enjoy the movie titled <TargetItemTitle> with the feature <TargetItemID>? Answer with "Yes" or "No". \\n#Answer:';

/** Most history titles shown in a prompt. */
export const MAX_HISTORY_TITLES = 10;

/** The history part: the last (at most 10) titles, each in double quotes, joined by ", "; "unkow" when empty. */
export function historyText(titles: readonly string[]): string {
  const last = titles.slice(-MAX_HISTORY_TITLES);
  return last.length === 0 ? 'unkow' : last.map((t) => `"${t}"`).join(', ');
}

/** Fills a template with history titles and the target title. */
export function fillPrompt(kind: PromptKind, historyTitles: readonly string[], targetTitle: string): string {
  const t = kind === 'tallrec' ? TALLREC_TEMPLATE : COLLM_TEMPLATE;
  const fill: Readonly<Record<string, string>> = {
    '<ItemTitleList>': historyText(historyTitles), '<TargetItemTitle>': `"${targetTitle}"`, '<UserID>': PLACEHOLDER, '<TargetItemID>': PLACEHOLDER,
  };
  // one pass with a replacer function: titles are inserted verbatim (no `$&` / `$1` patterns) and a title
  // that itself reads "<TargetItemTitle>" is never filled again
  return t.replace(/<ItemTitleList>|<TargetItemTitle>|<UserID>|<TargetItemID>/g, (m) => fill[m]!);
}

/** The prompt of one row of a split. */
export function rowPrompt(kind: PromptKind, ds: Dataset, split: InteractionSplit, row: number): string {
  const hist: string[] = [];
  for (let j = split.histOffsets[row]!; j < split.histOffsets[row + 1]!; j++) hist.push(ds.items[split.histItems[j]!]!.title);
  return fillPrompt(kind, hist, ds.items[split.itemIdx[row]!]!.title);
}
