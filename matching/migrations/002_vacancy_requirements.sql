-- Vacancies: hours may be decimal (37.5); structured requirements confirmed by the liaison.
ALTER TABLE matching.vacancies ALTER hours_per_week TYPE DOUBLE;
ALTER TABLE matching.vacancies ADD COLUMN licences VARCHAR[];
ALTER TABLE matching.vacancies ADD COLUMN attests VARCHAR[];
ALTER TABLE matching.vacancies ADD COLUMN contract VARCHAR;
