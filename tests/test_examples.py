"""The bundled examples run end to end (small settings; the full runs are in README's results table)."""
import pathlib
import subprocess
import sys

import pytest

EXAMPLES = pathlib.Path(__file__).resolve().parents[1] / "examples"


def run_example(name, *args, env_data_dir=None, cwd=None):
    import os
    env = dict(os.environ)
    if env_data_dir is not None:
        env["NNKIT_DATA_DIR"] = str(env_data_dir)
    result = subprocess.run([sys.executable, str(EXAMPLES / name), *args], capture_output=True,
                            text=True, timeout=300, env=env, cwd=cwd)
    assert result.returncode == 0, result.stderr[-2000:]
    return result.stdout


@pytest.mark.parametrize("name", sorted(path.name for path in EXAMPLES.glob("*.py")
                                         if path.name != "imdb_common.py"))
def test_every_example_has_help_and_a_cupy_option(name):
    assert "--backend" in run_example(name, "--help")


def test_imdb_examples_offer_the_gru():
    for name in ("imdb_lstm.py", "imdb_bidirectional.py"):
        assert "gru" in run_example(name, "--help")


def test_small_runs_of_the_graph_examples(data_dir, tmp_path):
    output = run_example("imdb_rating_feedback.py", "--limit", "300", "--epochs", "1",
                         "--maxlen", "40", "--units", "8", "--embedding", "8", "--gru-units", "4",
                         env_data_dir=data_dir, cwd=tmp_path)
    assert "feedback:" in output and "flat:" in output and "band" in output
    output = run_example("amazon_experts.py", "--epochs", "1", env_data_dir=data_dir)
    assert "experts:" in output and "expert use per domain" in output
    output = run_example("imdb_tokens_and_features.py", "--limit", "300", "--epochs", "1",
                         env_data_dir=data_dir)
    assert "tokens_and_style: test accuracy" in output
    output = run_example("imdb_cnn.py", "--limit", "300", "--epochs", "1", "--filters", "8",
                         "--hidden", "8", env_data_dir=data_dir)
    assert "test accuracy" in output


def test_imdb_lstm_trains_saves_and_predicts_raw_text(data_dir, tmp_path):
    checkpoint = str(tmp_path / "imdb.h5")
    common = ["--maxlen", "60", "--checkpoint", checkpoint]
    output = run_example("imdb_lstm.py", "--limit", "400", "--epochs", "1", "--units", "16",
                         "--embedding", "16", "--validation-split", "0.1", "--batch-size", "64",
                         *common, env_data_dir=data_dir, cwd=tmp_path)
    assert "test accuracy" in output and "on 400 reviews" in output
    verdict = run_example("imdb_lstm.py", "--predict", "a wonderful film", *common,
                          env_data_dir=data_dir, cwd=tmp_path)
    assert verdict.split()[0] in ("positive", "negative") and "P(positive) = " in verdict


def test_imdb_lstm_runs_a_keras_trained_model(data_dir):
    keras_file = str(EXAMPLES.parent / "tests" / "fixtures" / "keras_files" / "keras3_imdb_lstm.keras")
    common = ["--from-keras", keras_file, "--num-words", "30", "--maxlen", "60"]
    output = run_example("imdb_lstm.py", *common, "--limit", "200", env_data_dir=data_dir)
    assert "trained in Keras" in output and "on 200 reviews" in output
    verdict = run_example("imdb_lstm.py", *common, "--predict", "a wonderful film",
                          env_data_dir=data_dir)
    assert verdict.split()[0] in ("positive", "negative")


def test_amazon_mlp_reports_accuracy_for_a_domain(data_dir):
    output = run_example("amazon_mlp.py", "--domains", "kitchen", "--input", "sparse",
                         env_data_dir=data_dir)
    row = output.strip().splitlines()[-1].split()
    assert row[:3] == ["kitchen", "sparse", "7891"]
    assert 0.7 <= float(row[4]) <= 1.0


def test_sequence_forecasting_beats_persistence():
    output = run_example("sequence_forecasting.py")
    rmse = {line.split()[0]: float(line.split("RMSE over")[1].split(":")[1].split()[0])
            for line in output.splitlines() if "RMSE over" in line}
    assert rmse["LSTM"] < 0.5 * rmse["persistence"]


def test_the_antirectifier_custom_layer_learns_amazon_reviews(data_dir):
    output = run_example("custom_layer_antirectifier.py", "--domain", "kitchen", "--epochs", "2",
                         env_data_dir=data_dir)
    accuracy = float(output.split("test accuracy")[1].split(",")[0])
    assert 0.7 <= accuracy <= 1.0


def test_imdb_raw_text_reads_folders_saves_the_vocabulary_and_predicts_strings(data_dir,
                                                                               tmp_path):
    model = str(tmp_path / "raw.keras")
    output = run_example("imdb_raw_text.py", "--limit", "60", "--epochs", "1",
                         "--sequence-length", "40", "--filters", "4", "--embedding", "4",
                         "--max-tokens", "300", "--cache", str(tmp_path / "cache"),
                         "--archive", str(data_dir / "imdb" / "aclImdb_v1_labeled.tar.gz"),
                         "--model", model, cwd=tmp_path)
    assert "Found 120 files belonging to 2 classes." in output
    assert "test accuracy" in output and "on 120 raw reviews" in output
    assert output.count("P(positive) = ") == 2            # the fresh process's verdicts
    verdict = run_example("imdb_raw_text.py", "--model", model, "--predict", "a wonderful film",
                          cwd=tmp_path)
    assert verdict.split()[0] in ("positive", "negative") and "a wonderful film" in verdict
