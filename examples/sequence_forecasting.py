"""Learn a damped pendulum with StackedCells, then forecast it closed-loop with ``step``.

theano-lstm's tutorial idea: the state ``(θ, ω)`` of a damped pendulum is
simulated in NumPy; a stack of LSTM cells plus a Dense read-out learns to
predict the next state from the states so far (per-step targets, mse), trained
with nnkit's Sequential. The trained stack is then run one step at a time with
``StackedCells.step``, feeding each prediction back as the next input, and the
rollout error is compared with persistence (predicting "no change").

Run: python examples/sequence_forecasting.py [--backend numpy|cupy] [--epochs 30]
"""
import argparse
import time

import numpy as np

import nnkit


def simulate(n, steps, dt=0.1, damping=0.15, seed=0):
    """``(n, steps + 1, 2)`` trajectories of (θ, ω) from random starts (semi-implicit Euler)."""
    rng = np.random.default_rng(seed)
    state = np.stack([rng.uniform(-2.0, 2.0, n), rng.uniform(-1.0, 1.0, n)], axis=1)
    out = [state]
    for _ in range(steps):
        theta, omega = state[:, 0], state[:, 1]
        omega = omega + dt * (-9.81 / 2.0 * np.sin(theta) - damping * omega)
        state = np.stack([theta + dt * omega, omega], axis=1)
        out.append(state)
    return np.stack(out, axis=1).astype(np.float32)


def rollout(stack, readout, warmup, horizon):
    """Feed ``warmup (N, T0, 2)`` step by step, then predict ``horizon`` steps closed-loop."""
    backend = nnkit.backend.get_backend()
    states = stack.initial_state(warmup.shape[0])
    for t in range(warmup.shape[1]):
        h, states = stack.step(warmup[:, t], states)
    predictions = []
    for _ in range(horizon):
        x_t = readout(h[:, None, :])[:, 0]       # the read-out was built on (N, T, H)
        predictions.append(backend.to_numpy(x_t))
        h, states = stack.step(x_t, states)
    return np.stack(predictions, axis=1)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--backend", choices=["numpy", "cupy"], default="numpy")
    parser.add_argument("--epochs", type=int, default=30)
    parser.add_argument("--hidden", type=int, default=32)
    parser.add_argument("--horizon", type=int, default=40)
    args = parser.parse_args()
    nnkit.backend.set_backend(args.backend)
    nnkit.set_seed(0)

    train = simulate(256, 60, seed=0)
    stack = nnkit.StackedCells(2, layers=[args.hidden, args.hidden], celltype="lstm",
                               return_sequences=True)
    readout = nnkit.Dense(2)
    model = nnkit.Sequential([stack, readout])
    model.compile(nnkit.optimizers.Adam(learning_rate=0.01), loss="mse")
    started = time.perf_counter()
    history = model.fit(train[:, :-1], train[:, 1:], batch_size=32, epochs=args.epochs, verbose=0)
    print(f"trained {args.epochs} epochs in {time.perf_counter() - started:.1f}s, "
          f"final loss {history.history['loss'][-1]:.2e}")

    test = simulate(64, 20 + args.horizon, seed=1)
    warmup, future = test[:, :20], test[:, 20:20 + args.horizon]
    forecast = rollout(stack, readout, warmup, args.horizon)
    persistence = np.repeat(warmup[:, -1:], args.horizon, axis=1)
    for name, guess in (("LSTM closed-loop", forecast), ("persistence", persistence)):
        error = np.sqrt(((guess - future) ** 2).mean(axis=(0, 2)))
        print(f"{name:17s} RMSE over {args.horizon} steps: {error.mean():.3f} "
              f"(step 1: {error[0]:.3f}, step {args.horizon}: {error[-1]:.3f})")


if __name__ == "__main__":
    main()
