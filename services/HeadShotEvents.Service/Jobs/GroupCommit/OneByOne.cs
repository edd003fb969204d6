using System.Data.Common;

namespace HeadShotEvents.Service.Jobs.GroupCommit;

/// <summary>What a batch does when the database refuses it as a whole.</summary>
internal static class OneByOne
{
    /// <summary>
    /// Runs the batch as one; if the database refuses it, runs each request alone, so one bad row
    /// does not fail the callers it happened to share a batch with: only its own caller sees the
    /// error (<see cref="BatchPartlyFailed"/> carries each caller's result or error).
    /// </summary>
    public static async Task<IReadOnlyList<TResult>> OnFailureAsync<TRequest, TResult>(
        IReadOnlyList<TRequest> requests, Func<IReadOnlyList<TRequest>, Task<IReadOnlyList<TResult>>> together)
    {
        try
        {
            return await together(requests);
        }
        catch (DbException) when (requests.Count > 1)
        {
            var results = new object?[requests.Count];
            var errors = new Exception?[requests.Count];
            for (var i = 0; i < requests.Count; i++)
            {
                try
                {
                    results[i] = (await together([requests[i]]))[0];
                }
                catch (DbException ex)
                {
                    errors[i] = ex;
                }
            }

            throw new BatchPartlyFailed(results, errors);
        }
    }
}
