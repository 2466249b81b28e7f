-- How each of the most mentioned countries is mentioned: counts by mention kind.
-- params: since (date, default 1900-01-01), until (date, default 2999-12-31), limit (int, default 10)
-- grain: one row per country (the top `limit` by mention count).
with per_country as (
    select
        daily.country_code,
        any_value(daily.country_name) as country_name,
        sum(daily.mention_count)::bigint as mention_count,
        sum(daily.name_count)::bigint as name_count,
        sum(daily.capital_count)::bigint as capital_count,
        sum(daily.demonym_count)::bigint as demonym_count,
        sum(daily.place_count)::bigint as place_count,
        sum(daily.person_count)::bigint as person_count,
        sum(daily.organization_count)::bigint as organization_count,
    from country_mentions_daily as daily
    where daily.mention_date between $since and $until
    group by daily.country_code
),

final as (
    select
        per_country.country_code,
        per_country.country_name,
        per_country.mention_count,
        per_country.name_count,
        per_country.capital_count,
        per_country.demonym_count,
        per_country.place_count,
        per_country.person_count,
        per_country.organization_count,
    from per_country
    where per_country.mention_count > 0
    order by per_country.mention_count desc, per_country.country_code
    limit $limit
)

select * from final
