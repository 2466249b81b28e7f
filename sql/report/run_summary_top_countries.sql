-- grain: one row per country, the top $limit by mention count over every date.
-- The run summary's table. Unlike sql/queries/top-countries.sql it takes no date range and
-- keeps a country whose only mentions are of its people or bodies (mention_count 0).
with per_country as (
    select
        daily.country_code,
        any_value(daily.country_name) as country_name,
        sum(daily.mention_count)::bigint as mention_count,
    from country_mentions_daily as daily
    group by daily.country_code
),

final as (
    select
        per_country.country_code,
        per_country.country_name,
        per_country.mention_count,
    from per_country
    order by per_country.mention_count desc, per_country.country_code
    limit $limit
)

select * from final
