-- grain: one row per country per day (mention_date, country_code).
-- mention_count counts the mentions that name the country itself (kinds name,
-- capital, demonym, place); person_count and organization_count count mentions
-- of people and bodies attributed to the country and are not in mention_count.
-- focus_article_count counts the day's articles whose focus is the country
-- (articles.focus_country_code); a country that is only a focus that day (say by
-- its dateline alone) has a row whose other counts are 0.
create or replace view country_mentions_daily as

with dated_mentions as (
    select
        articles.published_date as mention_date,
        mentions.country_code,
        mentions.article_id,
        mentions.mention_kind,
        mentions.mention_kind in ('name', 'capital', 'demonym', 'place') as is_country_reference,
    from mentions
    inner join articles
        on articles.article_id = mentions.article_id
    where mentions.country_code is not null
),

per_day as (
    select
        mention_date,
        country_code,
        count(*) filter (where is_country_reference) as mention_count,
        count(distinct article_id) filter (where is_country_reference) as article_count,
        count(*) filter (where mention_kind = 'name') as name_count,
        count(*) filter (where mention_kind = 'capital') as capital_count,
        count(*) filter (where mention_kind = 'demonym') as demonym_count,
        count(*) filter (where mention_kind = 'place') as place_count,
        count(*) filter (where mention_kind = 'person') as person_count,
        count(*) filter (where mention_kind = 'organization') as organization_count,
    from dated_mentions
    group by mention_date, country_code
),

focus_per_day as (
    select
        published_date as mention_date,
        focus_country_code as country_code,
        count(*) as focus_article_count,
    from articles
    where focus_country_code is not null
    group by published_date, focus_country_code
),

days as (
    select
        coalesce(per_day.mention_date, focus_per_day.mention_date) as mention_date,
        coalesce(per_day.country_code, focus_per_day.country_code) as country_code,
        coalesce(per_day.mention_count, 0) as mention_count,
        coalesce(per_day.article_count, 0) as article_count,
        coalesce(per_day.name_count, 0) as name_count,
        coalesce(per_day.capital_count, 0) as capital_count,
        coalesce(per_day.demonym_count, 0) as demonym_count,
        coalesce(per_day.place_count, 0) as place_count,
        coalesce(per_day.person_count, 0) as person_count,
        coalesce(per_day.organization_count, 0) as organization_count,
        coalesce(focus_per_day.focus_article_count, 0) as focus_article_count,
    from per_day
    full outer join focus_per_day
        on focus_per_day.mention_date = per_day.mention_date
        and focus_per_day.country_code = per_day.country_code
),

final as (
    select
        days.mention_date,
        days.country_code,
        countries.name as country_name,
        days.mention_count,
        days.article_count,
        days.name_count,
        days.capital_count,
        days.demonym_count,
        days.place_count,
        days.person_count,
        days.organization_count,
        days.focus_article_count,
    from days
    left join countries
        on countries.country_code = days.country_code
    where days.mention_count > 0
        or days.person_count > 0
        or days.organization_count > 0
        or days.focus_article_count > 0
)

select * from final
