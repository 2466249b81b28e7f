-- grain: one row per country mentioned between $since and $until (mention_count > 0): its
-- mentions (kinds name, capital, demonym, place) and its point (gazetteer/points.py), which the
-- world map draws a country too small for its shapes (or a former country) at.
with per_country as (
    select
        daily.country_code,
        any_value(daily.country_name) as country_name,
        sum(daily.mention_count)::bigint as mention_count,
    from country_mentions_daily as daily
    where daily.mention_date between $since and $until
    group by daily.country_code
    having sum(daily.mention_count) > 0
),

final as (
    select
        per_country.country_code,
        per_country.country_name,
        per_country.mention_count,
        entities.latitude,
        entities.longitude,
    from per_country
    left join entities
        on entities.entity_id = 'country:' || per_country.country_code
    order by per_country.mention_count desc, per_country.country_code
)

select * from final
