-- Which texts each file repeats: one row per file per text it holds but does not count,
-- with the canonical file that counts it. source_files.duplicate_of keeps one path per file
-- (the smallest) to show; a file that repeats texts of several files is read again when any
-- of them changes or goes, which needs every link.
create table duplicate_copies (
    path varchar not null,          -- the file holding the copy (source_files.path)
    content_hash varchar not null,  -- the text it repeats (articles.content_hash)
    duplicate_of varchar not null   -- the file whose article counts that text
);

-- Earlier loads recorded only duplicate_of, not which texts: those files are read again on
-- their next run (their size and hash forgotten, as for a file to retry), which records them.
update source_files
set size_bytes = null, sha256 = null
where duplicate_of is not null
    and status in ('loaded', 'duplicate');
