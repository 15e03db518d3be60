using static TorchSharp.torch;

namespace Clip.Evaluation;

/// <summary>Settings of an L-BFGS minimisation.</summary>
/// <param name="MaxIterations">Maximum number of iterations (each with one or more function evaluations).</param>
/// <param name="GradientTolerance">Stop when the largest absolute gradient component is at most this value.</param>
/// <param name="RelativeFunctionTolerance">Stop when an iteration lowers the objective by at most this fraction of its magnitude.</param>
/// <param name="HistorySize">Number of (step, gradient change) pairs kept for the inverse-Hessian estimate.</param>
internal sealed record LbfgsSettings(int MaxIterations, double GradientTolerance, double RelativeFunctionTolerance, int HistorySize);

/// <summary>Outcome of an L-BFGS minimisation; the caller owns and disposes <see cref="Solution"/>.</summary>
internal sealed record LbfgsResult(Tensor Solution, double Objective, int Iterations, bool Converged);

/// <summary>
/// Limited-memory BFGS (Nocedal and Wright, Numerical Optimization, 2nd ed., algorithm 7.4) with a
/// backtracking line search under the Armijo condition, on a flat float64 parameter vector.
/// </summary>
/// <remarks>
/// Written for smooth convex objectives such as L2-regularised logistic regression, where a backtracking
/// search is enough: a pair whose curvature s·y is not positive is skipped instead of being stored, which
/// keeps the inverse-Hessian estimate positive definite without a Wolfe line search.
/// </remarks>
internal static class Lbfgs
{
    /// <summary>Sufficient-decrease constant of the Armijo condition.</summary>
    private const double ArmijoConstant = 1e-4;

    /// <summary>Factor by which a rejected step shrinks.</summary>
    private const double Backtrack = 0.5;

    /// <summary>Largest number of step halvings tried before the search gives up.</summary>
    private const int MaxLineSearchSteps = 40;

    /// <summary>Smallest curvature s·y, relative to y·y, for which a pair is stored.</summary>
    private const double MinCurvature = 1e-12;

    /// <summary>Minimises <paramref name="objective"/> from <paramref name="start"/>.</summary>
    /// <param name="objective">Returns the objective and its gradient (a new tensor that this method disposes) at a point.</param>
    /// <param name="start">The starting point, a float64 vector; it is not modified.</param>
    /// <param name="settings">Iteration limit, tolerances and history size.</param>
    /// <returns>The last point reached; the caller owns and disposes its tensor.</returns>
    public static LbfgsResult Minimize(Func<Tensor, (double Value, Tensor Gradient)> objective, Tensor start, LbfgsSettings settings)
    {
        var steps = new Queue<(Tensor S, Tensor Y, double Rho)>();
        Tensor x = start.detach().clone();
        (double value, Tensor gradient) = objective(x);
        int iteration = 0;
        bool converged = MaxAbs(gradient) <= settings.GradientTolerance;
        try
        {
            while (!converged && iteration < settings.MaxIterations)
            {
                iteration++;

                // Temporaries of the iteration die with this scope; the new point, its gradient and the
                // stored pair are moved out of it.
                using var scope = NewDisposeScope();
                Tensor direction = SearchDirection(gradient, steps);
                double slope = direction.dot(gradient).item<double>();
                if (slope >= 0)
                {
                    // The estimate lost positive definiteness in floating point: restart from steepest descent.
                    ClearHistory(steps);
                    direction = gradient.neg();
                    slope = -gradient.dot(gradient).item<double>();
                }

                double step = steps.Count == 0 ? Math.Min(1.0, 1.0 / gradient.abs().sum().item<double>()) : 1.0;
                Tensor? nextX = null;
                Tensor? nextGradient = null;
                double nextValue = double.NaN;
                for (int trial = 0; trial < MaxLineSearchSteps; trial++)
                {
                    Tensor candidate = x.AddScaled(direction, step);
                    (double candidateValue, Tensor candidateGradient) = objective(candidate);
                    if (candidateValue <= value + (ArmijoConstant * step * slope))
                    {
                        (nextX, nextGradient, nextValue) = (candidate, candidateGradient, candidateValue);
                        break;
                    }

                    step *= Backtrack;
                }

                if (nextX is null || nextGradient is null)
                {
                    // No step lowers the objective enough: the point is optimal to working precision.
                    converged = true;
                    break;
                }

                Tensor s = nextX - x;
                Tensor y = nextGradient - gradient;
                double sy = s.dot(y).item<double>();
                double yy = y.dot(y).item<double>();
                if (sy > MinCurvature * yy)
                {
                    steps.Enqueue((s.MoveToOuterDisposeScope(), y.MoveToOuterDisposeScope(), 1.0 / sy));
                    if (steps.Count > settings.HistorySize)
                    {
                        (Tensor oldS, Tensor oldY, _) = steps.Dequeue();
                        oldS.Dispose();
                        oldY.Dispose();
                    }
                }

                double decrease = value - nextValue;
                x.Dispose();
                gradient.Dispose();
                x = nextX.MoveToOuterDisposeScope();
                gradient = nextGradient.MoveToOuterDisposeScope();
                value = nextValue;
                converged = MaxAbs(gradient) <= settings.GradientTolerance
                    || decrease <= settings.RelativeFunctionTolerance * Math.Max(Math.Abs(value), 1.0);
            }

            return new LbfgsResult(x, value, iteration, converged);
        }
        finally
        {
            gradient.Dispose();
            ClearHistory(steps);
        }
    }

    /// <summary>Computes -H·g with the two-loop recursion, H being the inverse-Hessian estimate.</summary>
    private static Tensor SearchDirection(Tensor gradient, Queue<(Tensor S, Tensor Y, double Rho)> steps)
    {
        Tensor q = gradient.neg();
        if (steps.Count == 0)
        {
            return q;
        }

        var pairs = steps.ToArray();
        var alphas = new double[pairs.Length];
        for (int i = pairs.Length - 1; i >= 0; i--)
        {
            alphas[i] = pairs[i].Rho * pairs[i].S.dot(q).item<double>();
            q.AddScaled_(pairs[i].Y, -alphas[i]);
        }

        // Initial inverse Hessian gamma * I, with gamma = s·y / y·y of the newest pair.
        (_, Tensor lastY, double lastRho) = pairs[^1];
        double gamma = 1.0 / (lastRho * lastY.dot(lastY).item<double>());
        q.MulScalar_(gamma);
        for (int i = 0; i < pairs.Length; i++)
        {
            double beta = pairs[i].Rho * pairs[i].Y.dot(q).item<double>();
            q.AddScaled_(pairs[i].S, alphas[i] - beta);
        }

        return q;
    }

    private static double MaxAbs(Tensor t)
    {
        using Tensor max = t.abs().max();
        return max.item<double>();
    }

    private static void ClearHistory(Queue<(Tensor S, Tensor Y, double Rho)> steps)
    {
        while (steps.Count > 0)
        {
            (Tensor s, Tensor y, _) = steps.Dequeue();
            s.Dispose();
            y.Dispose();
        }
    }
}
