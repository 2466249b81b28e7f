-- Tone (transforms/tone.py: VADER's lexicon and rules). Per sentence: tone is VADER's
-- compound (-1 to 1), positive and negative VADER's pos and neg shares (0 to 1), word_count
-- its whitespace-separated words. Per article: tone, positive and negative are its sentences'
-- means weighted by word_count, polarity is positive + negative, word_count their sum.
alter table sentence_spans add column tone double;
alter table sentence_spans add column positive double;
alter table sentence_spans add column negative double;
alter table sentence_spans add column word_count integer;

alter table articles add column tone double;
alter table articles add column positive double;
alter table articles add column negative double;
alter table articles add column polarity double;
alter table articles add column word_count integer;

-- Rows loaded before have no tone, and no SQL can score them: their files are read again on
-- their next run (size and hash forgotten, as for a file to retry), which scores them. Files
-- still under the relative paths of a release before migration 005 keep size and hash, which
-- adopting them needs; they are scored when their bytes next change.
update source_files
set size_bytes = null, sha256 = null
where status = 'loaded'
    and starts_with(path, '/');
