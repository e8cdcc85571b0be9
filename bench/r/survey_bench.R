# R's side of bench/analysis_vs_r.sh: the same waves, the same design, the same item means.
#
#   Rscript bench/r/survey_bench.R WAVE.csv [WAVE.csv ...] [--out estimates.csv]
#
# Per wave: svydesign(ids = ~1, strata = ~unit, fpc = ~population) — weights N_h/n_h, the
# finite-population correction, lonely strata as minyi handles them (METHODS §2) — then for
# each of the 20 rated items svymean(~item, na.rm = TRUE) and svyby(~item, ~unit, svymean,
# na.rm = TRUE). "na" (不了解) and empty answers are NA: na.rm = TRUE leaves them out of the
# mean as a domain, the rows staying in the design (survey's subset keeps them with zero
# weight), exactly METHODS §3. Prints the load and the estimation wall times apart; the
# caller measures peak memory with /usr/bin/time -v.

suppressPackageStartupMessages(library(survey))
options(survey.lonely.psu = "adjust")

items <- c(
  "conduct_duty", "conduct_consistent", "conduct_procedure", "conduct_documents",
  "fair_equal", "fair_outcome", "fair_discretion", "fair_leniency",
  "open_certificate", "open_rights", "open_recorded", "open_lawful",
  "service_manner", "service_listen", "service_speed", "service_guidance",
  "trust_law", "trust_result", "trust_complaint", "overall_sat"
)

args <- commandArgs(trailingOnly = TRUE)
out <- NULL
if (length(i <- which(args == "--out"))) {
  out <- args[i + 1]
  args <- args[-c(i, i + 1)]
}
if (!length(args)) stop("usage: survey_bench.R WAVE.csv [WAVE.csv ...] [--out FILE]")

# The whole file, every column, as the batch reads it: data.table::fread when installed
# (Debian: r-cran-data.table), else read.csv.
read_wave <- if (requireNamespace("data.table", quietly = TRUE)) {
  function(path) data.table::fread(path, na.strings = c("na", ""), data.table = FALSE)
} else {
  function(path) utils::read.csv(path, na.strings = c("na", ""))
}
reader <- if (requireNamespace("data.table", quietly = TRUE)) "data.table::fread" else "read.csv"

elapsed <- function() proc.time()[["elapsed"]]

started <- elapsed()
waves <- lapply(args, read_wave)
load_seconds <- elapsed() - started

started <- elapsed()
results <- list()
for (w in seq_along(waves)) {
  label <- sub("\\.csv$", "", basename(args[w]))
  design <- svydesign(ids = ~1, strata = ~unit, fpc = ~population, data = waves[[w]])
  for (item in items) {
    f <- as.formula(paste0("~", item))
    m <- svymean(f, design, na.rm = TRUE)
    b <- svyby(f, ~unit, design, svymean, na.rm = TRUE)
    results[[length(results) + 1]] <- data.frame(
      wave = label, group_var = c("overall", rep("unit", nrow(b))),
      group = c("all", as.character(b$unit)), item = item,
      estimate = c(coef(m)[[1]], coef(b)), se = c(SE(m)[[1]], SE(b))
    )
  }
}
estimates <- do.call(rbind, results)
estimate_seconds <- elapsed() - started

cat(sprintf(
  "rows %d load_seconds %.3f estimate_seconds %.3f estimates %d reader %s R %s survey %s\n",
  sum(vapply(waves, nrow, 0L)), load_seconds, estimate_seconds, nrow(estimates), reader,
  getRversion(), packageVersion("survey")
))
if (!is.null(out)) utils::write.csv(estimates, out, row.names = FALSE)
