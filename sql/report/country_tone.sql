-- grain: one row per day per country (mention_date, country_code), for the countries in
-- $country_codes: the mean tone of the sentences that mention the country (country_tone_daily)
-- and its sentence count, by which the chart weighs each day when it joins days into weeks or
-- months. That weight is exact when every sentence has a tone, as after any load since
-- migration 009; a day none of whose sentences has one (mean_tone null) is left out.
with final as (
    select
        tone.mention_date,
        tone.country_code,
        tone.sentences as sentence_count,
        tone.mean_tone,
    from country_tone_daily as tone
    where tone.mention_date between $since and $until
        and list_contains($country_codes, tone.country_code)
        and tone.mean_tone is not null
    order by tone.mention_date, tone.country_code
)

select * from final
