-- scope: run (the last load of a run checks every day the run touched; per load it would
-- rescan the warehouse each time)
-- fails when: country_mentions_daily disagrees with a direct count of mentions on a day this run touched
with touched_dates as (
    select distinct published_date from articles where load_id >= $run_first_load_id
),

direct_counts as (
    select
        articles.published_date as mention_date,
        mentions.country_code,
        count(*) as mention_count,
    from mentions
    inner join articles
        on articles.article_id = mentions.article_id
    where articles.published_date in (select published_date from touched_dates)
        and mentions.country_code is not null
        and mentions.mention_kind in ('name', 'capital', 'demonym', 'place')
    group by all
),

view_counts as (
    select
        mention_date,
        country_code,
        mention_count,
    from country_mentions_daily
    where mention_date in (select published_date from touched_dates)
        and mention_count > 0
),

final as (
    select
        coalesce(direct_counts.mention_date, view_counts.mention_date) as mention_date,
        coalesce(direct_counts.country_code, view_counts.country_code) as country_code,
        direct_counts.mention_count as direct_count,
        view_counts.mention_count as view_count,
    from direct_counts
    full outer join view_counts
        on view_counts.mention_date = direct_counts.mention_date
        and view_counts.country_code = direct_counts.country_code
    where direct_counts.mention_count is distinct from view_counts.mention_count
)

select * from final
