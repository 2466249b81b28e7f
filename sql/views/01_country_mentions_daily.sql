-- grain: one row per country per day (mention_date, country_code).
-- mention_count counts the mentions that name the country itself (kinds name,
-- capital, demonym, place); person_count and organization_count count mentions
-- of people and bodies attributed to the country and are not in mention_count.
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

final as (
    select
        per_day.mention_date,
        per_day.country_code,
        countries.name as country_name,
        per_day.mention_count,
        per_day.article_count,
        per_day.name_count,
        per_day.capital_count,
        per_day.demonym_count,
        per_day.place_count,
        per_day.person_count,
        per_day.organization_count,
    from per_day
    left join countries
        on countries.country_code = per_day.country_code
    where per_day.mention_count > 0
        or per_day.person_count > 0
        or per_day.organization_count > 0
)

select * from final
