-- Opening datelines ("SALVADOR, Feb 26 -", "TOKYO, April 10 Kyodo -") are kept in the
-- text, recorded on the article, and their span is excluded from mentions.
alter table articles add column dateline_place varchar;
alter table articles add column dateline_country_code varchar;
alter table articles add column dateline_end_char bigint;  -- text[:dateline_end_char] is the opening dateline

-- The path a duplicate repeats, so the duplicate is re-read when that file changes.
alter table source_files add column duplicate_of varchar;
