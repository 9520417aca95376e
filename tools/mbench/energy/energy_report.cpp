#include "energy/energy_report.hpp"

#include <algorithm>
#include <cstdio>

#include "common/output.hpp"
#include "common/text_table.hpp"

namespace msocket::mbench {

namespace {

std::string fixed(double value, int decimals) {
  char text[32];
  std::snprintf(text, sizeof text, "%.*f", decimals, value);
  return text;
}

boost::json::object radio_constants(const EnergyRadio& radio) {
  const auto& m = radio.model;
  return {{"key", radio.key},
          {"name", m.name},
          {"interface", radio.interface},
          {"promotion_mw", m.promotion_milliwatts},
          {"promotion_s", m.promotion_time.count()},
          {"tail_mw", m.tail_milliwatts},
          {"tail_s", m.tail_time.count()},
          {"alpha_up_mw_per_mbps", m.uplink_milliwatts_per_mbps},
          {"alpha_down_mw_per_mbps", m.downlink_milliwatts_per_mbps},
          {"beta_mw", m.transfer_base_milliwatts}};
}

}  // namespace

double EnergyRun::total_joules() const {
  double joules = 0;
  for (const auto& radio : energy) joules += radio.joules();
  return joules;
}

std::string energy_table(const EnergyReport& report) {
  std::vector<std::string> header{"case", "size", "time s"};
  for (const auto& radio : report.radios) header.push_back(radio.model.name + " J");
  header.insert(header.end(), {"total J", "J/MiB"});
  std::vector<std::vector<std::string>> rows{header};
  for (const auto& run : report.runs) {
    std::vector<std::string> row{run.case_label, format_size(run.size_bytes), fixed(run.seconds, 2)};
    for (const auto& radio : run.energy) row.push_back(fixed(radio.joules(), 2));
    row.insert(row.end(), {fixed(run.total_joules(), 2), fixed(run.joules_per_mib(), 3)});
    rows.push_back(std::move(row));
  }
  auto text = aligned_rows(rows, [](std::size_t column) { return column >= 1; });
  for (const auto& note : report.notes) text += note + '\n';
  return text;
}

boost::json::object energy_json(const EnergyReport& report) {
  boost::json::array radios, runs;
  for (const auto& radio : report.radios) radios.push_back(radio_constants(radio));
  for (const auto& run : report.runs) {
    boost::json::object joules, bytes;
    testbed::RadioEnergy sum;
    for (std::size_t i = 0; i < report.radios.size(); ++i) {
      joules[report.radios[i].key] = run.energy.at(i).joules();
      bytes[report.radios[i].key] = run.interface_bytes.at(i);
      sum += run.energy[i];
    }
    joules["total"] = run.total_joules();
    runs.push_back(boost::json::object{
        {"case", run.case_key},
        {"label", run.case_label},
        {"size_bytes", run.size_bytes},
        {"seconds", run.seconds},
        {"joules", std::move(joules)},
        {"joules_per_mib", run.joules_per_mib()},
        {"promotions", sum.promotions},
        {"interface_bytes", std::move(bytes)},
        {"parts_joules",
         {{"promotion", sum.promotion_joules}, {"transfer", sum.transfer_joules}, {"tail", sum.tail_joules}}}});
  }
  return {{"benchmark", "energy"},
          {"source", "model"},
          {"model", {{"reference", kRadioModelReference}, {"radios", std::move(radios)}}},
          {"settings", report.settings},
          {"runs", std::move(runs)},
          {"notes", boost::json::array(report.notes.begin(), report.notes.end())}};
}

std::string energy_csv(const EnergyReport& report) {
  std::string csv = "benchmark,case,size_bytes,seconds";
  for (const auto& radio : report.radios) csv += "," + radio.key + "_joules";
  csv += ",total_joules,joules_per_mib";
  for (const auto& radio : report.radios) csv += "," + radio.key + "_bytes";
  csv += '\n';
  for (const auto& run : report.runs) {
    csv += "energy," + run.case_key + "," + std::to_string(run.size_bytes) + "," + six_significant_digits(run.seconds);
    for (const auto& radio : run.energy) csv += "," + six_significant_digits(radio.joules());
    csv += "," + six_significant_digits(run.total_joules()) + "," + six_significant_digits(run.joules_per_mib());
    for (const auto bytes : run.interface_bytes) csv += "," + std::to_string(bytes);
    csv += '\n';
  }
  return csv;
}

void write_energy_outputs(const EnergyReport& report, const OutputOptions& output) {
  write_outputs({"energy", energy_table(report), [&report] { return energy_json(report); },
                 [&report] { return energy_csv(report); }, "energy",
                 [&report](const std::filesystem::path& dir) { plot_energy(report, dir); }},
                output);
}

}  // namespace msocket::mbench
