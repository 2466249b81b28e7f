-- scope: run (the last load of a run checks every day the run touched; per load it would
-- rescan the warehouse each time)
-- fails when: country_tone_daily's sentences disagree with the distinct (article, sentence)
-- pairs of the country mentions behind them, on a day this run touched
with touched_dates as (
    select distinct published_date from articles where load_id >= $run_first_load_id
),

direct_counts as (
    select
        articles.published_date as mention_date,
        mentions.country_code,
        count(distinct (mentions.article_id, mentions.sentence_no)) as sentences,
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
        sentences,
    from country_tone_daily
    where mention_date in (select published_date from touched_dates)
),

final as (
    select
        coalesce(direct_counts.mention_date, view_counts.mention_date) as mention_date,
        coalesce(direct_counts.country_code, view_counts.country_code) as country_code,
        direct_counts.sentences as direct_count,
        view_counts.sentences as view_count,
    from direct_counts
    full outer join view_counts
        on view_counts.mention_date = direct_counts.mention_date
        and view_counts.country_code = direct_counts.country_code
    where direct_counts.sentences is distinct from view_counts.sentences
)

select * from final
