-- grain: one row per day per country (mention_date, country_code), for the countries in $country_codes.
-- Days without a mention of a country have no row; the chart fills them with zero.
with final as (
    select
        daily.mention_date,
        daily.country_code,
        daily.mention_count,
    from country_mentions_daily as daily
    where daily.mention_date between $since and $until
        and list_contains($country_codes, daily.country_code)
        and daily.mention_count > 0
    order by daily.mention_date, daily.country_code
)

select * from final
