-- grain: one row: the key numbers of the report, for articles published between $since and $until.
-- The file counts (loaded, rejected, duplicate) are of the whole warehouse: a rejected file
-- has no date.
with in_range as (
    select
        articles.article_id,
        articles.published_date,
    from articles
    where articles.published_date between $since and $until
),

counts as (
    select
        (select count(*) from in_range) as article_count,
        (select count(*) from sentences
            where sentences.article_id in (select in_range.article_id from in_range))
            as sentence_count,
        (select count(*) from mentions
            where mentions.article_id in (select in_range.article_id from in_range))
            as mention_count,
        (select min(in_range.published_date) from in_range) as first_date,
        (select max(in_range.published_date) from in_range) as last_date,
        (select count(*) from source_files where source_files.status = 'rejected')
            as rejected_file_count,
        (select count(*) from source_files where source_files.status = 'duplicate')
            as duplicate_file_count,
        (select count(*) from source_files where source_files.status = 'loaded')
            as loaded_file_count,
),

final as (
    select * from counts
)

select * from final
