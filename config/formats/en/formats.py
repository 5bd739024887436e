"""English as the project writes it: dates as "31 Dec 2026" rather than the American
"12/31/2026", and times on the 24-hour clock, as the Finnish and Swedish pages do."""

SHORT_DATE_FORMAT = "j M Y"
SHORT_DATETIME_FORMAT = "j M Y, H:i"
