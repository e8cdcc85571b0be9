# Did minyi and R compute the same numbers? (bench/analysis_vs_r.sh, after the timed runs)
#
#   Rscript bench/r/compare.R R_ESTIMATES.csv MINYI_ESTIMATES.csv [MORE.csv ...]
#
# MINYI_ESTIMATES are a batch's or `analysis stream`'s estimates.csv files: its item means, overall
# and by unit, are matched with R's svymean/svyby. Prints the largest differences; fails when
# a mean differs by more than 1e-9 or an SE by more than 1e-6 relative (METHODS).

args <- commandArgs(trailingOnly = TRUE)
r <- utils::read.csv(args[1], stringsAsFactors = FALSE)
m <- do.call(rbind, lapply(args[-1], function(f) {
  utils::read.csv(f, stringsAsFactors = FALSE)[, c("wave", "group_var", "group", "level",
    "indicator", "measure", "estimate", "se")]
}))
m <- m[m$level == "item" & m$measure == "mean" & m$group_var %in% c("overall", "unit"), ]
m$item <- m$indicator
both <- merge(r, m, by = c("wave", "group_var", "group", "item"), suffixes = c(".r", ".minyi"))
mean_diff <- max(abs(both$estimate.r - both$estimate.minyi))
se_diff <- max(abs(both$se.r - both$se.minyi) / pmax(both$se.r, 1e-12))
cat(sprintf(
  "compared %d of %d R estimates: max |mean diff| %.2e, max relative SE diff %.2e\n",
  nrow(both), nrow(r), mean_diff, se_diff
))
if (nrow(both) != nrow(r) || mean_diff > 1e-9 || se_diff > 1e-6) quit(status = 1)
